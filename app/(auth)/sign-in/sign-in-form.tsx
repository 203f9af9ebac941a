"use client";

import { useActionState } from "react";
import { Button } from "@/components/ui/button";
import { Field } from "@/components/ui/field";
import { FormMessage } from "@/components/ui/form-message";
import { signInAction } from "../actions";

export function SignInForm({ next, oauth }: { next?: string; oauth: { github: boolean; google: boolean } }) {
  const [state, action, pending] = useActionState(signInAction, null);
  const err = state?.fieldErrors ?? {};
  return (
    <div className="space-y-4">
      <form action={action} className="space-y-4" noValidate>
        <FormMessage state={state} />
        {next && <input type="hidden" name="next" value={next} />}
        <Field label="Email" name="email" type="email" autoComplete="email" required error={err.email} />
        <Field label="Password" name="password" type="password" autoComplete="current-password" required error={err.password} />
        <Button type="submit" disabled={pending} className="w-full">{pending ? "Signing in…" : "Sign in"}</Button>
      </form>
      {(oauth.github || oauth.google) && (
        <div className="space-y-2 border-t border-slate-200 pt-4">
          {oauth.github && <a className="block rounded-md border border-slate-300 px-3 py-2 text-center text-sm" href="/api/auth/signin/github">Continue with GitHub</a>}
          {oauth.google && <a className="block rounded-md border border-slate-300 px-3 py-2 text-center text-sm" href="/api/auth/signin/google">Continue with Google</a>}
        </div>
      )}
    </div>
  );
}
