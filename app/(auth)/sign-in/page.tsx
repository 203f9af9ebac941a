import Link from "next/link";
import { oauthProviders } from "@/lib/auth/config";
import { oauthRefusalMessages, type OAuthRefusal } from "@/lib/auth/oauth-users";
import { SignInForm } from "./sign-in-form";

export const metadata = { title: "Sign in" };

export default async function SignInPage({ searchParams }: { searchParams: Promise<{ next?: string; reset?: string; error?: string }> }) {
  const { next, reset, error } = await searchParams;
  // Our own refusals (the OAuth linking rule) in words; anything else Auth.js reports, in general terms.
  const refusal = error ? (Object.hasOwn(oauthRefusalMessages, error) ? oauthRefusalMessages[error as OAuthRefusal] : "That sign-in did not work. Try again, or sign in with your email and password.") : null;
  return (
    <>
      <h1 className="mb-5 text-xl font-semibold">Sign in to Tally</h1>
      {refusal && <p role="alert" className="mb-4 rounded-md bg-red-50 px-3 py-2 text-sm text-red-800">{refusal}</p>}
      {reset === "1" && <p role="status" className="mb-4 rounded-md bg-green-50 px-3 py-2 text-sm text-green-800">Your password was changed and every session was signed out. Sign in with the new password.</p>}
      <SignInForm next={next} oauth={oauthProviders()} />
      <p className="mt-4 text-center text-sm">
        <Link className="font-medium text-brand-700 underline" href="/forgot-password">Forgot your password?</Link>
      </p>
      <p className="mt-2 text-center text-sm text-slate-600">
        New here? <Link className="font-medium text-brand-700 underline" href="/sign-up">Create an account</Link>
      </p>
    </>
  );
}
