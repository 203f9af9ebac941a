"use server";

import { revalidatePath } from "next/cache";
import { redirect } from "next/navigation";
import { z } from "zod";
import { db } from "@/lib/db";
import { formRequestKey } from "@/lib/payments/request-key";
import { formAction, type FormState } from "@/lib/server/action";
import { requireOperatorAction } from "@/lib/server/operator";
import { createEndpoint, deleteEndpoint, resendDelivery, setEndpointEnabled } from "@/lib/webhooks/endpoints";
import { kickDeliveries } from "@/lib/webhooks/sender";

const endpointId = z.string().regex(/^we_[0-9a-f]{24}$/, "Not a webhook endpoint id.");

/** The create form's state: the signing secret travels back once, in this answer, and is shown nowhere else. */
export type CreateEndpointState = (NonNullable<FormState> & { secret?: string }) | null;

// The request id is chosen when the form renders: a double submit creates one endpoint and shows its one secret.
const create = formAction(z.object({ url: z.string().max(2000), description: z.string().max(200).optional(), requestId: formRequestKey }), async (input, form) => {
  const op = await requireOperatorAction();
  const eventTypes = form.getAll("eventTypes").map(String);
  const { endpoint, secret } = await createEndpoint(db(), op, { url: input.url, description: input.description, eventTypes }, { idempotencyKey: input.requestId });
  revalidatePath("/admin/webhooks");
  const state: CreateEndpointState = { ok: true, message: `Endpoint ${endpoint.url} created, with this signing secret.`, secret };
  return state;
});

export async function createEndpointAction(prev: CreateEndpointState, form: FormData): Promise<CreateEndpointState> {
  return (await create(prev, form)) as CreateEndpointState;
}

export const setEndpointEnabledAction = formAction(z.object({ endpointId, enabled: z.enum(["true", "false"]) }), async (input) => {
  const op = await requireOperatorAction();
  const enabled = input.enabled === "true";
  await setEndpointEnabled(db(), op, input.endpointId, enabled);
  if (enabled) void kickDeliveries(db());
  revalidatePath(`/admin/webhooks/${input.endpointId}`);
  return { ok: true, message: enabled ? "Enabled: waiting deliveries are sent now." : "Disabled: nothing more is sent until it is enabled." };
});

export const deleteEndpointAction = formAction(z.object({ endpointId }), async (input) => {
  const op = await requireOperatorAction();
  await deleteEndpoint(db(), op, input.endpointId);
  revalidatePath("/admin/webhooks");
  redirect("/admin/webhooks");
});

export const resendDeliveryAction = formAction(z.object({ deliveryId: z.string().regex(/^whd_[0-9a-f]{32}$/, "Not a delivery id."), endpointId }), async (input) => {
  const op = await requireOperatorAction();
  await resendDelivery(db(), op, input.deliveryId);
  void kickDeliveries(db());
  revalidatePath(`/admin/webhooks/${input.endpointId}`);
  return { ok: true, message: "Queued to send again now, with the same webhook-id." };
});
