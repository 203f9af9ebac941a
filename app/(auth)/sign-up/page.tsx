import Link from "next/link";
import { SignUpForm } from "./sign-up-form";

export const metadata = { title: "Sign up" };

export default function SignUpPage() {
  return (
    <>
      <h1 className="mb-1 text-xl font-semibold">Create your account</h1>
      <p className="mb-5 text-sm text-slate-600">You start on the Free plan. No card needed.</p>
      <SignUpForm />
      <p className="mt-5 text-center text-sm text-slate-600">
        Already have an account? <Link className="font-medium text-brand-700 underline" href="/sign-in">Sign in</Link>
      </p>
    </>
  );
}
