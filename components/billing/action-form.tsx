"use client";

import { useActionState } from "react";
import { Button } from "@/components/ui/button";
import { FormMessage } from "@/components/ui/form-message";
import type { FormState } from "@/lib/server/action";

type Action = (prev: FormState, form: FormData) => Promise<FormState>;

/**
 * One billing button (or a small form) bound to a server action, with its outcome shown beside it.
 * The button is disabled while the action runs; a second click still carries the same request key.
 */
export function ActionForm({
  action, fields, label, pendingLabel, variant = "primary", children, testId, className = "",
}: {
  action: Action;
  fields: Record<string, string>;
  label: string;
  pendingLabel?: string;
  variant?: "primary" | "secondary" | "danger" | "ghost";
  children?: React.ReactNode;
  testId?: string;
  className?: string;
}) {
  const [state, formAction, pending] = useActionState(action, null);
  return (
    <form action={formAction} className={`space-y-2 ${className}`} data-testid={testId}>
      {Object.entries(fields).map(([name, value]) => <input key={name} type="hidden" name={name} value={value} />)}
      {children}
      <Button type="submit" variant={variant} disabled={pending} className="w-full sm:w-auto">{pending ? (pendingLabel ?? "Working…") : label}</Button>
      <FormMessage state={state} />
      {state?.fieldErrors && (
        <ul className="text-sm text-red-700">
          {Object.entries(state.fieldErrors).filter(([, m]) => m !== state.message).map(([f, m]) => <li key={f}>{m}</li>)}
        </ul>
      )}
    </form>
  );
}
