"use client";

import { useActionState, useState } from "react";
import { Check, Copy } from "lucide-react";
import { Button } from "@/components/ui/button";
import { ConfirmSubmit } from "@/components/ui/confirm-submit";
import { useResultToast } from "@/components/ui/use-result-toast";
import { Field } from "@/components/ui/field";
import { FormMessage } from "@/components/ui/form-message";
import { createApiKeyAction, revokeApiKeyAction } from "./actions";

export function CreateKeyForm({ slug }: { slug: string }) {
  const [state, action, pending] = useActionState(createApiKeyAction, null);
  return (
    <div className="space-y-4">
      <form action={action} className="grid gap-3 sm:grid-cols-[1fr_auto] sm:items-end">
        <input type="hidden" name="slug" value={slug} />
        <Field label="Key name" name="name" required maxLength={80} placeholder="e.g. Production backend" error={state?.fieldErrors?.name} />
        <Button type="submit" disabled={pending}>{pending ? "Creating…" : "Create key"}</Button>
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
        Key “{name}” created. Copy it now: this is the only time it is shown. Tally keeps only a hash and cannot show it again.
      </p>
      <div className="flex flex-col gap-2 sm:flex-row sm:items-center">
        <code aria-label="New API key" className="block min-w-0 flex-1 break-all rounded border border-amber-200 bg-white px-3 py-2 font-mono text-sm text-slate-900">
          {secret}
        </code>
        <Button type="button" variant="secondary" onClick={copy}>{copied ? <Check aria-hidden="true" /> : <Copy aria-hidden="true" />}{copied ? "Copied" : "Copy key"}</Button>
      </div>
      <p className="text-xs text-amber-900">Store it in your backend’s secrets (never in a browser or a repository). Send it as <code>Authorization: Bearer &lt;key&gt;</code>.</p>
    </div>
  );
}

export function RevokeKeyForm({ slug, keyId, name }: { slug: string; keyId: string; name: string }) {
  const [state, action, pending] = useActionState(revokeApiKeyAction, null);
  useResultToast(state);
  if (state?.ok) return <FormMessage state={state} />;
  return (
    <form action={action} className="space-y-2">
      <input type="hidden" name="slug" value={slug} />
      <input type="hidden" name="keyId" value={keyId} />
      <ConfirmSubmit
        variant="danger"
        disabled={pending}
        aria-label={`Revoke ${name}`}
        confirm={{ title: `Revoke “${name}”?`, description: "Requests with this key are refused immediately. This cannot be undone.", confirmLabel: "Yes, revoke key", destructive: true }}
      >
        {pending ? "Revoking…" : "Revoke"}
      </ConfirmSubmit>
      <FormMessage state={state} />
    </form>
  );
}
