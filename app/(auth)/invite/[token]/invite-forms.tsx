"use client";

import { useActionState } from "react";
import { Button } from "@/components/ui/button";
import { Field } from "@/components/ui/field";
import { FormMessage } from "@/components/ui/form-message";
import { acceptInvitationAction, signUpAndAcceptAction, switchAccountAction } from "./actions";

export function AcceptForm({ token, workspaceName }: { token: string; workspaceName: string }) {
  const [state, action, pending] = useActionState(acceptInvitationAction, null);
  return (
    <form action={action} className="space-y-4">
      <FormMessage state={state} />
      <input type="hidden" name="token" value={token} />
      <Button type="submit" disabled={pending} className="w-full">{pending ? "Joining…" : `Accept and join ${workspaceName}`}</Button>
    </form>
  );
}

export function InviteSignUpForm({ token, email, workspaceName }: { token: string; email: string; workspaceName: string }) {
  const [state, action, pending] = useActionState(signUpAndAcceptAction, null);
  const err = state?.fieldErrors ?? {};
  return (
    <form action={action} className="space-y-4" noValidate>
      <FormMessage state={state} />
      <p className="text-sm text-slate-700">Create your Tally account to accept.</p>
      <input type="hidden" name="token" value={token} />
      <div className="space-y-1">
        <label htmlFor="invited-email" className="block text-sm font-medium text-slate-800">Email</label>
        <input id="invited-email" value={email} readOnly className="block w-full rounded-md border border-slate-200 bg-slate-50 px-3 py-2 text-sm text-slate-700" />
      </div>
      <Field label="Name" name="name" autoComplete="name" error={err.name} />
      <Field label="Password" name="password" type="password" autoComplete="new-password" required hint="At least 8 characters." error={err.password} />
      <Button type="submit" disabled={pending} className="w-full">{pending ? "Creating…" : `Create account and join ${workspaceName}`}</Button>
    </form>
  );
}

export function SwitchAccountForm({ token, signedInAs, invited }: { token: string; signedInAs: string; invited: string }) {
  return (
    <form action={switchAccountAction} className="space-y-3">
      <p role="alert" className="rounded-md bg-amber-50 px-3 py-2 text-sm text-amber-900">
        You are signed in as {signedInAs}, but this invitation is for {invited}. Sign out, then sign in or create an account as {invited} to accept.
      </p>
      <input type="hidden" name="token" value={token} />
      <Button type="submit" variant="secondary" className="w-full">Sign out and continue as {invited}</Button>
    </form>
  );
}
