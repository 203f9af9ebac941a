import Link from "next/link";
import { SignUpForm } from "./sign-up-form";

export const metadata = { title: "Sign up" };

export default function SignUpPage() {
  return (
    <>
      <SignUpForm />
      <p className="mt-5 text-center text-sm text-slate-600">
        Already have an account? <Link className="font-medium text-brand-700 underline" href="/sign-in">Sign in</Link>
      </p>
    </>
  );
}
