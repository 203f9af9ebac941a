import Link from "next/link";
import { peekPasswordReset } from "@/lib/auth/passwords-reset";
import { db } from "@/lib/db";
import { buttonClass } from "@/components/ui/button";
import { ResetPasswordForm } from "./reset-password-form";

export const metadata = { title: "Choose a new password" };

// Opening the link spends nothing (mail scanners open links too); the form's post does.
export default async function ResetPasswordPage({ searchParams }: { searchParams: Promise<{ token?: string }> }) {
  const { token } = await searchParams;
  const pending = typeof token === "string" ? await peekPasswordReset(db(), token) : null;
  if (!pending) {
    return (
      <>
        <h1 className="mb-2 text-xl font-semibold">This link no longer works</h1>
        <p role="alert" className="mb-5 text-sm text-slate-600">Reset links work once, for one hour, and only the newest one does. Ask for a new link.</p>
        <Link href="/forgot-password" className={`${buttonClass()} w-full`}>Send a new link</Link>
      </>
    );
  }
  return (
    <>
      <h1 className="mb-1 text-xl font-semibold">Choose a new password</h1>
      <p className="mb-5 text-sm text-slate-600">
        For <strong className="break-all text-slate-900">{pending.email}</strong>. Every session of the account is signed out, on every device.
      </p>
      <ResetPasswordForm token={token!} email={pending.email} />
    </>
  );
}
