"use client";

import { useActionState } from "react";
import { Button } from "@/components/ui/button";
import { Field } from "@/components/ui/field";
import { ConfirmSubmit } from "@/components/ui/confirm-submit";
import { FormMessage } from "@/components/ui/form-message";
import { NewSecret } from "@/components/ui/new-secret";
import { useResultToast } from "@/components/ui/use-result-toast";
import { createPlatformKeyAction, revokePlatformKeyAction } from "./actions";

export function CreatePlatformKeyForm() {
  const [state, action, pending] = useActionState(createPlatformKeyAction, null);
  return (
    <div className="space-y-4">
      <form action={action} className="grid gap-3 sm:grid-cols-[1fr_auto] sm:items-end">
        <Field label="Key name" name="name" required maxLength={80} placeholder="e.g. Production backend" error={state?.fieldErrors?.name} />
        <Button type="submit" disabled={pending}>{pending ? "Creating…" : "Create platform key"}</Button>
      </form>
      {state?.secret ? (
        <NewSecret secret={state.secret} created={`Platform key “${state.name ?? ""}” created.`} label="New platform key">
          It acts for every workspace: keep it in your backend’s secrets only. Name the workspace of each request with <code>workspace</code>.
        </NewSecret>
      ) : (
        <FormMessage state={state} />
      )}
    </div>
  );
}

export function RevokePlatformKeyForm({ keyId, name }: { keyId: string; name: string }) {
  const [state, action, pending] = useActionState(revokePlatformKeyAction, null);
  useResultToast(state);
  if (state?.ok) return <FormMessage state={state} />;
  return (
    <form action={action} className="space-y-2">
      <input type="hidden" name="keyId" value={keyId} />
      <ConfirmSubmit
        variant="danger"
        disabled={pending}
        aria-label={`Revoke ${name}`}
        confirm={{
          title: `Revoke “${name}”?`,
          description: "Every request with this key, for every workspace, is refused immediately. This cannot be undone.",
          confirmLabel: "Yes, revoke key",
          destructive: true,
        }}
      >
        {pending ? "Revoking…" : "Revoke"}
      </ConfirmSubmit>
      <FormMessage state={state} />
    </form>
  );
}
