"use client";

import { useEffect, useState } from "react";

type Sonner = typeof import("sonner");
type Note = { ok: boolean; message: string };

// Toasts wait here until sonner is loaded: its code is fetched on the first toast, not with every page.
const waiting: Note[] = [];
let wake: (() => void) | null = null;

/** Shows `message` as a toast (a success, or an error when `ok` is false). */
export function notify(ok: boolean, message: string) {
  waiting.push({ ok, message });
  wake?.();
}

/** Where results of actions appear (sonner), mounted once in the root layout. */
export function Toaster() {
  const [sonner, setSonner] = useState<Sonner | null>(null);

  useEffect(() => {
    const flush = () => {
      if (!sonner) {
        void import("sonner").then(setSonner);
        return;
      }
      for (const note of waiting.splice(0)) (note.ok ? sonner.toast.success : sonner.toast.error)(note.message);
    };
    wake = flush;
    // Runs after sonner's own <Toaster> has mounted (children's effects first), so nothing is dropped.
    if (waiting.length) flush();
    return () => {
      wake = null;
    };
  }, [sonner]);

  if (!sonner) return null;
  return (
    <sonner.Toaster
      position="bottom-right"
      closeButton
      toastOptions={{ classNames: { toast: "font-sans text-sm", description: "text-slate-600" } }}
    />
  );
}
