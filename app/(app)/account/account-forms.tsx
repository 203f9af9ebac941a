"use client";

import { useActionState } from "react";
import { Button } from "@/components/ui/button";
import { Field } from "@/components/ui/field";
import { FormMessage } from "@/components/ui/form-message";
import { changePasswordAction, resendVerificationAction } from "./actions";

export function ResendVerificationForm() {
  const [state, action, pending] = useActionState(resendVerificationAction, null);
  return (
    <form action={action} className="space-y-2">
      <Button type="submit" variant="secondary" disabled={pending}>{pending ? "Sending…" : "Send the link again"}</Button>
      <FormMessage state={state} />
    </form>
  );
}

export function ChangePasswordForm({ email }: { email: string }) {
  const [state, action, pending] = useActionState(changePasswordAction, null);
  const err = state?.fieldErrors ?? {};
  return (
    <form action={action} className="max-w-sm space-y-4" noValidate>
      <FormMessage state={state} />
      <input type="hidden" name="username" autoComplete="username" value={email} />
      <Field label="Current password" name="current" type="password" autoComplete="current-password" required error={err.current} />
      <Field label="New password" name="password" type="password" autoComplete="new-password" required minLength={8} hint="At least 8 characters." error={err.password} />
      <Button type="submit" disabled={pending}>{pending ? "Saving…" : "Change password"}</Button>
    </form>
  );
}
