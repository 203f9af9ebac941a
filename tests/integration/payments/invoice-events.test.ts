import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { db } from "@/lib/db";
import { currentPlanVersion } from "@/lib/billing";
import { billingAlerts } from "@/lib/billing-views/alerts";
import { billingOverview } from "@/lib/billing-views/overview";
import { invoiceStatusWords, listInvoices } from "@/lib/billing-views/invoices";
import { HANDLED_EVENT_TYPES } from "@/lib/payments";
import { deliverThrice, eventsAbout, startPayments, subscribedOnClock, workspaceOnClock, type PaymentsEnv } from "./helpers";

// invoice.finalization_failed (Stripe Tax cannot place the customer) and customer.subscription.trial_will_end.

let env: PaymentsEnv;
beforeAll(async () => {
  env = await startPayments({ deliver: true });
});
afterAll(async () => {
  await env?.stop();
});

const HOUR = 3600;
const DAY = 86_400;
const failedDeliveries = () => env.deliveries.filter((d) => d.status >= 300);

describe("an invoice Stripe could not finalise", () => {
  it("is recorded and shown with Stripe's reason, and operators are told once", async () => {
    expect(HANDLED_EVENT_TYPES).toEqual(expect.arrayContaining(["invoice.finalization_failed", "customer.subscription.trial_will_end"]));
    const s = await subscribedOnClock(env, "starter", "finalize");
    await env.stripe.customers.update(s.customerId, { address: { country: "US", postal_code: "not-a-zip" } });
    await s.advanceTo(s.periodEnd + HOUR);
    const invoice = await db().invoice.findFirstOrThrow({ where: { workspaceId: s.workspaceId, billingReason: "subscription_cycle" } });
    expect([invoice.status, invoice.finalizationError]).toEqual(["draft", expect.stringContaining("location isn't recognized")]);
    const row = (await listInvoices(db(), s.workspaceId)).find((i) => i.id === invoice.id)!;
    expect(invoiceStatusWords(row)).toMatch(/^Not issued: The customer's location isn't recognized/);
    expect(billingAlerts(await billingOverview(db(), s.workspaceId))).toEqual([expect.objectContaining({ kind: "invoice_not_finalized", message: invoice.finalizationError })]);
    for (const e of await eventsAbout(env.stripe, "invoice.finalization_failed", invoice.stripeInvoiceId)) await deliverThrice(e);
    const alerts = await db().operatorAlert.findMany({ where: { subjectId: invoice.stripeInvoiceId } });
    expect(alerts.map((a) => [a.kind, a.workspaceId])).toEqual([["invoice_finalization_failed", s.workspaceId]]);

    // Fixed and finalised: the invoice is issued and paid, and the alert goes.
    await env.stripe.customers.update(s.customerId, { address: { postal_code: "94103" } });
    await env.stripe.invoices.finalizeInvoice(invoice.stripeInvoiceId);
    await env.emulator.idle();
    const issued = await db().invoice.findUniqueOrThrow({ where: { id: invoice.id } });
    expect([issued.status, issued.finalizationError]).toEqual(["paid", null]);
    expect(billingAlerts(await billingOverview(db(), s.workspaceId))).toEqual([]);
    expect(failedDeliveries()).toEqual([]);
  });
});

describe("a trial ending soon", () => {
  it("tells the owners three days before, once per trial", async () => {
    const ws = await workspaceOnClock(env, "trial-end");
    const pro = await currentPlanVersion(db(), "pro");
    const sub = await env.stripe.subscriptions.create({ customer: ws.customerId, items: [{ price: pro!.stripeMonthlyPriceId! }], trial_period_days: 14, metadata: { workspaceId: ws.workspaceId } });
    await env.emulator.idle();
    expect(await db().notification.count({ where: { workspaceId: ws.workspaceId, kind: "trial_will_end" } })).toBe(0);
    await ws.advanceTo(ws.start + 11 * DAY + HOUR);
    const told = await db().notification.findMany({ where: { workspaceId: ws.workspaceId, kind: "trial_will_end" } });
    expect(told.map((n) => n.subject)).toEqual([expect.stringMatching(/: your Pro trial ends on /)]);
    expect(told[0]!.data).toMatchObject({ planName: "Pro", hasCard: false, subscribed: true });
    for (const e of await eventsAbout(env.stripe, "customer.subscription.trial_will_end", sub.id)) await deliverThrice(e);
    expect(await db().notification.count({ where: { workspaceId: ws.workspaceId, kind: "trial_will_end" } })).toBe(1);
    expect(failedDeliveries()).toEqual([]);
  });
});
