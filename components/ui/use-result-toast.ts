"use client";

import { useEffect } from "react";
import type { FormState } from "@/lib/server/action";
import { notify } from "./toaster";

/** Shows each new answer of a server action as a toast too (the inline message stays for screen readers and tests). */
export function useResultToast(state: FormState) {
  useEffect(() => {
    if (state?.message) notify(state.ok, state.message);
  }, [state]);
}
