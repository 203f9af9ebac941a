import type { InputHTMLAttributes } from "react";

/** A labelled input with its error announced to screen readers. */
export function Field({ label, name, error, hint, ...props }: InputHTMLAttributes<HTMLInputElement> & { label: string; name: string; error?: string; hint?: string }) {
  const errorId = `${name}-error`;
  return (
    <div className="space-y-1">
      <label htmlFor={name} className="block text-sm font-medium text-slate-800">{label}</label>
      <input
        id={name}
        name={name}
        aria-invalid={error ? true : undefined}
        aria-describedby={error ? errorId : undefined}
        className={`block w-full rounded-md border bg-white px-3 py-2 text-sm shadow-sm ${error ? "border-red-500" : "border-slate-300"}`}
        {...props}
      />
      {hint && !error && <p className="text-xs text-slate-500">{hint}</p>}
      {error && <p id={errorId} role="alert" className="text-sm text-red-700">{error}</p>}
    </div>
  );
}
