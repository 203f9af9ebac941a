import type { InputHTMLAttributes } from "react";
import { Input } from "./input";

/** A labelled input with its error announced to screen readers. */
export function Field({ label, name, error, hint, id, ...props }: InputHTMLAttributes<HTMLInputElement> & { label: string; name: string; error?: string; hint?: string }) {
  const inputId = id ?? name;
  const errorId = `${inputId}-error`;
  const hintId = `${inputId}-hint`;
  return (
    <div className="space-y-1">
      <label htmlFor={inputId} className="block text-sm font-medium text-slate-800">{label}</label>
      <Input
        id={inputId}
        name={name}
        aria-invalid={error ? true : undefined}
        aria-describedby={error ? errorId : hint ? hintId : undefined}
        {...props}
      />
      {hint && !error && <p id={hintId} className="text-xs text-slate-600">{hint}</p>}
      {error && <p id={errorId} role="alert" className="text-sm text-red-700">{error}</p>}
    </div>
  );
}
