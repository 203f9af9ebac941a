"use client";

import { useActionState } from "react";
import { Button } from "@/components/ui/button";
import { ConfirmSubmit } from "@/components/ui/confirm-submit";
import { useResultToast } from "@/components/ui/use-result-toast";
import { Field } from "@/components/ui/field";
import { FormMessage } from "@/components/ui/form-message";
import { NewSecret } from "@/components/ui/new-secret";
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
      {state?.secret ? (
        <NewSecret secret={state.secret} created={`Key “${state.name ?? ""}” created.`} label="New API key">
          Store it in your backend’s secrets (never in a browser or a repository). Send it as <code>Authorization: Bearer &lt;key&gt;</code>.
        </NewSecret>
      ) : (
        <FormMessage state={state} />
      )}
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
