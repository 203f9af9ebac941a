"use client";

import { useActionState } from "react";
import Link from "next/link";
import { Button, buttonClass } from "@/components/ui/button";
import { Field } from "@/components/ui/field";
import { FormMessage } from "@/components/ui/form-message";
import { signUpAction } from "../actions";

export function SignUpForm() {
  const [state, action, pending] = useActionState(signUpAction, null);
  const err = state?.fieldErrors ?? {};
  if (state?.ok) {
    return (
      <div className="space-y-4">
        <h1 className="text-xl font-semibold">Check your email</h1>
        <p role="status" className="text-sm text-slate-700">{state.message}</p>
        <p className="text-sm text-slate-600">
          The link works once, for 24 hours. Nothing arrived? Look in your spam folder, or sign in and send it again from the notice at the top of the page.
        </p>
        <Link href="/sign-in" className={`${buttonClass()} w-full`}>Go to sign in</Link>
      </div>
    );
  }
  return (
    <>
    <h1 className="mb-1 text-xl font-semibold">Create your account</h1>
    <p className="mb-5 text-sm text-slate-600">You start on the Free plan. No card needed.</p>
    <form action={action} className="space-y-4" noValidate>
      <FormMessage state={state} />
      <Field label="Name" name="name" autoComplete="name" error={err.name} />
      <Field label="Email" name="email" type="email" autoComplete="email" required error={err.email} />
      <Field label="Password" name="password" type="password" autoComplete="new-password" required minLength={8} hint="At least 8 characters." error={err.password} />
      <Field label="Workspace name" name="workspace" placeholder="Acme Inc." error={err.workspace} />
      <Button type="submit" disabled={pending} className="w-full">{pending ? "Creating account…" : "Create account"}</Button>
    </form>
    </>
  );
}
