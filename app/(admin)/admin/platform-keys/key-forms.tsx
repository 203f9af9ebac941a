"use client";

import { useActionState, useState } from "react";
import { Button } from "@/components/ui/button";
import { Field } from "@/components/ui/field";
import { FormMessage } from "@/components/ui/form-message";
import { createPlatformKeyAction, revokePlatformKeyAction } from "./actions";

export function CreatePlatformKeyForm() {
  const [state, action, pending] = useActionState(createPlatformKeyAction, null);
  return (
    <div className="space-y-4">
      <form action={action} className="grid gap-3 sm:grid-cols-[1fr_auto] sm:items-end">
        <Field label="Key name" name="name" required maxLength={80} placeholder="e.g. Production backend" error={state?.fieldErrors?.name} />
        <Button type="submit" disabled={pending}>{pending ? "Creating…" : "Create platform key"}</Button>
      </form>
      {state?.secret ? <NewSecret secret={state.secret} name={state.name ?? ""} /> : <FormMessage state={state} />}
    </div>
  );
}

function NewSecret({ secret, name }: { secret: string; name: string }) {
  const [copied, setCopied] = useState(false);
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(secret);
      setCopied(true);
    } catch {
      setCopied(false);
    }
  };
  return (
    <div className="space-y-3 rounded-md border border-amber-300 bg-amber-50 p-4" data-testid="new-secret">
      <p role="status" className="text-sm font-medium text-amber-900">
        Platform key “{name}” created. Copy it now: this is the only time it is shown. Tally keeps only a hash and cannot show it again.
      </p>
      <div className="flex flex-col gap-2 sm:flex-row sm:items-center">
        <code aria-label="New platform key" className="block min-w-0 flex-1 break-all rounded border border-amber-200 bg-white px-3 py-2 font-mono text-sm text-slate-900">
          {secret}
        </code>
        <Button type="button" variant="secondary" onClick={copy}>{copied ? "Copied" : "Copy key"}</Button>
      </div>
      <p className="text-xs text-amber-900">It acts for every workspace: keep it in your backend’s secrets only. Name the workspace of each request with <code>workspace</code>.</p>
    </div>
  );
}

export function RevokePlatformKeyForm({ keyId, name }: { keyId: string; name: string }) {
  const [state, action, pending] = useActionState(revokePlatformKeyAction, null);
  const [confirming, setConfirming] = useState(false);
  if (state?.ok) return <FormMessage state={state} />;
  if (!confirming) {
    return (
      <Button type="button" variant="danger" onClick={() => setConfirming(true)} aria-label={`Revoke ${name}`}>
        Revoke
      </Button>
    );
  }
  return (
    <form action={action} className="space-y-2 rounded-md border border-red-200 bg-red-50 p-3" role="group" aria-label={`Confirm revoking ${name}`}>
      <input type="hidden" name="keyId" value={keyId} />
      <p className="text-sm text-red-900">Revoke “{name}”? Every request with it, for every workspace, is refused immediately. This cannot be undone.</p>
      <div className="flex gap-2">
        <Button type="submit" variant="danger" disabled={pending}>{pending ? "Revoking…" : "Yes, revoke key"}</Button>
        <Button type="button" variant="ghost" onClick={() => setConfirming(false)}>Cancel</Button>
      </div>
      <FormMessage state={state} />
    </form>
  );
}
