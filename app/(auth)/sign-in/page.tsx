import Link from "next/link";
import { oauthProviders } from "@/lib/auth/config";
import { SignInForm } from "./sign-in-form";

export const metadata = { title: "Sign in" };

export default async function SignInPage({ searchParams }: { searchParams: Promise<{ next?: string }> }) {
  const { next } = await searchParams;
  return (
    <>
      <h1 className="mb-5 text-xl font-semibold">Sign in to Tally</h1>
      <SignInForm next={next} oauth={oauthProviders()} />
      <p className="mt-5 text-center text-sm text-slate-600">
        New here? <Link className="font-medium text-brand-700 underline" href="/sign-up">Create an account</Link>
      </p>
    </>
  );
}
