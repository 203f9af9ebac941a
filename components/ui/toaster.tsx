"use client";

import { Toaster as Sonner } from "sonner";

/** Where results of actions appear (sonner). Mounted once, in the root layout. */
export function Toaster() {
  return (
    <Sonner
      position="bottom-right"
      closeButton
      toastOptions={{ classNames: { toast: "font-sans text-sm", description: "text-slate-600" } }}
    />
  );
}
