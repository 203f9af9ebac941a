import Link from "next/link";
import { peekVerification } from "@/lib/auth/verification";
import { db } from "@/lib/db";
import { buttonClass } from "@/components/ui/button";
import { VerifyEmailForm } from "./verify-email-form";

export const metadata = { title: "Verify your email" };

// Opening the link does not spend it: mail scanners open links too. The person confirms with a button (a POST).
export default async function VerifyEmailPage({ searchParams }: { searchParams: Promise<{ token?: string; verified?: string }> }) {
  const { token, verified } = await searchParams;
  if (verified === "1") {
    return (
      <>
        <h1 className="mb-2 text-xl font-semibold">Your email address is verified</h1>
        <p role="status" className="mb-5 text-sm text-slate-600">You can now start a trial and manage billing.</p>
        <Link href="/app" className={`${buttonClass()} w-full`}>Continue to Tally</Link>
      </>
    );
  }
  const pending = typeof token === "string" ? await peekVerification(db(), token) : null;
  if (!pending) {
    return (
      <>
        <h1 className="mb-2 text-xl font-semibold">This link no longer works</h1>
        <p role="alert" className="mb-5 text-sm text-slate-600">
          It has expired, was already used, or was sent to an address the account no longer has. Sign in and send a new one from the notice
          at the top of the page; if your address is verified already, there is nothing more to do.
        </p>
        <Link href="/sign-in" className={`${buttonClass()} w-full`}>Sign in</Link>
      </>
    );
  }
  return (
    <>
      <h1 className="mb-2 text-xl font-semibold">Verify your email address</h1>
      <p className="mb-5 text-sm text-slate-600">
        Confirm that <strong className="break-all text-slate-900">{pending.email}</strong> is your address.
      </p>
      <VerifyEmailForm token={token!} />
    </>
  );
}
