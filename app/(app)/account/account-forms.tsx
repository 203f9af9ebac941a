"use client";

import { useActionState } from "react";
import { Button } from "@/components/ui/button";
import { FormMessage } from "@/components/ui/form-message";
import { resendVerificationAction } from "./actions";

export function ResendVerificationForm() {
  const [state, action, pending] = useActionState(resendVerificationAction, null);
  return (
    <form action={action} className="space-y-2">
      <Button type="submit" variant="secondary" disabled={pending}>{pending ? "Sending…" : "Send the link again"}</Button>
      <FormMessage state={state} />
    </form>
  );
}
