"use client";

import { useActionState } from "react";
import { Button, type ButtonVariant } from "@/components/ui/button";
import { ConfirmSubmit, type Confirmation } from "@/components/ui/confirm-submit";
import { FormMessage } from "@/components/ui/form-message";
import { useResultToast } from "@/components/ui/use-result-toast";
import type { FormState } from "@/lib/server/action";

type Action = (prev: FormState, form: FormData) => Promise<FormState>;

/**
 * One billing button (or a small form) bound to a server action, with its outcome shown beside it and
 * as a toast. The button is disabled while the action runs; a second click still carries the same
 * request key. With `confirm`, the button asks in a dialog first (money moves or something ends).
 */
export function ActionForm({
  action, fields, label, pendingLabel, variant = "primary", children, testId, className = "", confirm,
}: {
  action: Action;
  fields: Record<string, string>;
  label: string;
  pendingLabel?: string;
  variant?: ButtonVariant;
  children?: React.ReactNode;
  testId?: string;
  className?: string;
  confirm?: Confirmation;
}) {
  const [state, formAction, pending] = useActionState(action, null);
  useResultToast(state);
  const text = pending ? (pendingLabel ?? "Working…") : label;
  return (
    <form action={formAction} className={`space-y-2 ${className}`} data-testid={testId}>
      {Object.entries(fields).map(([name, value]) => <input key={name} type="hidden" name={name} value={value} />)}
      {children}
      {confirm
        ? <ConfirmSubmit confirm={confirm} variant={variant} disabled={pending} className="w-full sm:w-auto">{text}</ConfirmSubmit>
        : <Button type="submit" variant={variant} disabled={pending} className="w-full sm:w-auto">{text}</Button>}
      <FormMessage state={state} />
      {state?.fieldErrors && (
        <ul className="text-sm text-red-700">
          {Object.entries(state.fieldErrors).filter(([, m]) => m !== state.message).map(([f, m]) => <li key={f}>{m}</li>)}
        </ul>
      )}
    </form>
  );
}
