"use client";

import { useActionState } from "react";
import { Button } from "@/components/ui/button";
import { FormMessage } from "@/components/ui/form-message";
import { resendVerificationAction } from "@/app/(app)/account/actions";

/** Shown on every workspace page until the viewer's address is verified: what is locked, and the way out. */
export function VerifyEmailNotice({ email }: { email: string }) {
  const [state, action, pending] = useActionState(resendVerificationAction, null);
  return (
    <section aria-labelledby="verify-email-heading" className="border-b border-amber-200 bg-amber-50">
      <div className="mx-auto flex max-w-6xl flex-col gap-2 px-4 py-3 text-sm text-amber-950 sm:flex-row sm:items-center sm:gap-4">
        <div className="flex-1">
          <h2 id="verify-email-heading" className="font-semibold">Verify your email address</h2>
          <p>
            We sent a link to <strong className="break-all">{email}</strong>. Until you open it, you cannot start a trial or change billing
            (plans, checkout, extras, auto top-up, the billing portal).
          </p>
        </div>
        <form action={action} className="shrink-0 space-y-2">
          <Button type="submit" variant="secondary" disabled={pending} className="w-full sm:w-auto">{pending ? "Sending…" : "Send the link again"}</Button>
          <FormMessage state={state} />
        </form>
      </div>
    </section>
  );
}
