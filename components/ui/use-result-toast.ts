"use client";

import { useEffect } from "react";
import { toast } from "sonner";
import type { FormState } from "@/lib/server/action";

/** Shows each new answer of a server action as a toast too (the inline message stays for screen readers and tests). */
export function useResultToast(state: FormState) {
  useEffect(() => {
    if (!state?.message) return;
    if (state.ok) toast.success(state.message);
    else toast.error(state.message);
  }, [state]);
}
