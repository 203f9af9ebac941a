"use client";

import { Check, Copy } from "lucide-react";
import { Button } from "./button";
import { useCopy } from "./use-copy";

/**
 * A secret shown once, right after it was created (an API key, a platform key, a webhook signing secret): the
 * only time anyone can read it. `kept` says what Tally keeps of it (a key: only its hash). `label` names the
 * code element for screen readers and tests.
 */
export function NewSecret({
  secret, created, label, children, kept = "Tally keeps only a hash and cannot show it again.", copyLabel = "Copy key",
}: { secret: string; created: string; label: string; children: React.ReactNode; kept?: string; copyLabel?: string }) {
  const { copied, copy } = useCopy(secret);
  return (
    <div className="space-y-3 rounded-md border border-amber-300 bg-amber-50 p-4" data-testid="new-secret">
      <p role="status" className="text-sm font-medium text-amber-900">
        {created} Copy it now: this is the only time it is shown. {kept}
      </p>
      <div className="flex flex-col gap-2 sm:flex-row sm:items-center">
        <code aria-label={label} className="block min-w-0 flex-1 break-all rounded border border-amber-200 bg-white px-3 py-2 font-mono text-sm text-slate-900">
          {secret}
        </code>
        <Button type="button" variant="secondary" onClick={copy}>
          {copied ? <Check aria-hidden="true" /> : <Copy aria-hidden="true" />}
          {copied ? "Copied" : copyLabel}
        </Button>
      </div>
      <p className="text-xs text-amber-900">{children}</p>
    </div>
  );
}
