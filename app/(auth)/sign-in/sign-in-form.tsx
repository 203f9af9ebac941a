"use client";

import { useActionState } from "react";
import { Button } from "@/components/ui/button";
import { Field } from "@/components/ui/field";
import { FormMessage } from "@/components/ui/form-message";
import { oauthSignInAction, signInAction } from "../actions";

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
          {(["github", "google"] as const).filter((p) => oauth[p]).map((p) => (
            <form key={p} action={oauthSignInAction}>
              <input type="hidden" name="provider" value={p} />
              <Button type="submit" variant="secondary" className="w-full">Continue with {p === "github" ? "GitHub" : "Google"}</Button>
            </form>
          ))}
        </div>
      )}
    </div>
  );
}
