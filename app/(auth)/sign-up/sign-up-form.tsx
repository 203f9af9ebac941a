"use client";

import { useActionState } from "react";
import { Button } from "@/components/ui/button";
import { Field } from "@/components/ui/field";
import { FormMessage } from "@/components/ui/form-message";
import { signUpAction } from "../actions";

export function SignUpForm() {
  const [state, action, pending] = useActionState(signUpAction, null);
  const err = state?.fieldErrors ?? {};
  return (
    <form action={action} className="space-y-4" noValidate>
      <FormMessage state={state} />
      <Field label="Name" name="name" autoComplete="name" error={err.name} />
      <Field label="Email" name="email" type="email" autoComplete="email" required error={err.email} />
      <Field label="Password" name="password" type="password" autoComplete="new-password" required minLength={8} hint="At least 8 characters." error={err.password} />
      <Field label="Workspace name" name="workspace" placeholder="Acme Inc." error={err.workspace} />
      <Button type="submit" disabled={pending} className="w-full">{pending ? "Creating account…" : "Create account"}</Button>
    </form>
  );
}
