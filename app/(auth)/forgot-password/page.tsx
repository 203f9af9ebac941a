import Link from "next/link";
import { ForgotPasswordForm } from "./forgot-password-form";

export const metadata = { title: "Forgot your password" };

export default function ForgotPasswordPage() {
  return (
    <>
      <h1 className="mb-1 text-xl font-semibold">Forgot your password?</h1>
      <p className="mb-5 text-sm text-slate-600">Enter the email address of your account and we will send you a link to choose a new password.</p>
      <ForgotPasswordForm />
      <p className="mt-5 text-center text-sm text-slate-600">
        Remembered it? <Link className="font-medium text-brand-700 underline" href="/sign-in">Sign in</Link>
      </p>
    </>
  );
}
