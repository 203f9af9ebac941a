"use client";

import { useActionState } from "react";
import { Button } from "@/components/ui/button";
import { Field } from "@/components/ui/field";
import { FormMessage } from "@/components/ui/form-message";
import { NewSecret } from "@/components/ui/new-secret";
import { WEBHOOK_EVENT_TYPES } from "@/lib/webhooks/event-types";
import { createEndpointAction } from "./actions";

/**
 * Adds an endpoint. The signing secret is shown once, in a box to copy from, never in a toast: a toast goes
 * away by itself, and a secret in it would be read aloud and gone before it was copied.
 */
export function CreateEndpointForm({ requestId }: { requestId: string }) {
  const [state, action, pending] = useActionState(createEndpointAction, null);
  // A field's own error is said beside the field; the form's message is for the rest (a refused origin, say).
  const saidByFields = !!state?.fieldErrors && Object.keys(state.fieldErrors).every((f) => ["url", "description", "eventTypes"].includes(f));
  const typesError = state?.fieldErrors?.eventTypes;
  return (
    <div className="space-y-4">
      <form action={action} className="space-y-3" data-testid="create-endpoint-form">
        <input type="hidden" name="requestId" value={requestId} />
        <Field label="URL" name="url" type="url" required placeholder="https://api.example.com/tally-webhooks" error={state?.fieldErrors?.url} />
        <Field label="Description (optional)" name="description" maxLength={200} error={state?.fieldErrors?.description} />
        <fieldset className="text-sm" aria-describedby={typesError ? "eventTypes-error" : undefined}>
          <legend className="font-medium text-slate-800">Event types</legend>
          {typesError && <p id="eventTypes-error" role="alert" className="text-sm text-red-700">{typesError}</p>}
          <div className="mt-1 grid gap-1 sm:grid-cols-2">
            {Object.entries(WEBHOOK_EVENT_TYPES).map(([type, meaning]) => (
              <label key={type} className="flex items-start gap-2" title={meaning}>
                <input type="checkbox" name="eventTypes" value={type} defaultChecked className="mt-1" />
                <span className="break-all font-mono text-xs">{type}</span>
              </label>
            ))}
          </div>
        </fieldset>
        <Button type="submit" disabled={pending} className="w-full sm:w-auto">{pending ? "Creating…" : "Create endpoint"}</Button>
        {!state?.secret && !saidByFields && <FormMessage state={state} />}
      </form>
      {state?.secret && (
        <NewSecret secret={state.secret} created={state.message ?? "Endpoint created."} label="New signing secret" copyLabel="Copy secret"
          kept="Tally keeps it only to sign deliveries; the console never shows it again.">
          Give it to the receiver: each delivery is signed with it (Standard Webhooks: <code>webhook-signature</code>, HMAC-SHA256 of
          {" "}<code>id.timestamp.body</code>), and the receiver checks the signature before trusting the body.
        </NewSecret>
      )}
    </div>
  );
}
