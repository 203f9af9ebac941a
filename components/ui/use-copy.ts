"use client";

import { useState } from "react";

/** Copies `text` to the clipboard on `copy()`; `copied` says whether the last try worked (a denied clipboard says no). */
export function useCopy(text: string): { copied: boolean; copy: () => Promise<void> } {
  const [copied, setCopied] = useState(false);
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(text);
      setCopied(true);
    } catch {
      setCopied(false);
    }
  };
  return { copied, copy };
}
