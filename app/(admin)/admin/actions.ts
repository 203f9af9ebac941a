"use server";

import { revalidatePath } from "next/cache";
import { z } from "zod";
import { resolveAlert } from "@/lib/admin/alerts";
import { runInvariantCheck } from "@/lib/admin/invariants";
import { replayStripeEvent } from "@/lib/admin/stripe-events";
import { db } from "@/lib/db";
import { formAction } from "@/lib/server/action";
import { requireOperatorAction } from "@/lib/server/operator";

export const replayStripeEventAction = formAction(z.object({ eventId: z.string().regex(/^evt_[A-Za-z0-9_]{1,100}$/, "Not a Stripe event id.") }), async (input) => {
  const op = await requireOperatorAction();
  const out = await replayStripeEvent(db(), op, input.eventId);
  revalidatePath(`/admin/stripe-events/${input.eventId}`);
  if (out.outcome === "duplicate") return { ok: true, message: "Already processed: applied once, never twice. Nothing changed." };
  if (out.outcome === "failed") return { ok: false, message: `Failed again: ${out.error}` };
  return { ok: true, message: "Processed." };
});

export const runInvariantCheckAction = formAction(z.object({}), async () => {
  const op = await requireOperatorAction();
  const r = await runInvariantCheck(db(), op);
  revalidatePath("/admin/invariants");
  return { ok: r.critical === 0, message: `Checked: ${r.critical} critical, ${r.warning} warnings (${r.opened} new, ${r.resolved} resolved).` };
});

export const resolveAlertAction = formAction(z.object({ alertId: z.string().min(1).max(100) }), async (input) => {
  const op = await requireOperatorAction();
  const r = await resolveAlert(db(), op, input.alertId);
  revalidatePath("/admin");
  return { ok: true, message: r.resolved ? "Marked as dealt with." : "Already dealt with." };
});
