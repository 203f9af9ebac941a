import fs from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { db } from "@/lib/db";
import { env as appEnv } from "@/lib/env";
import { configureAutoTopUp, deliverPendingNotifications, recordUsage, topupExtras } from "@/lib/billing";
import { createStripePaymentsPort, endExpiredTrials, runDunning, startPackCheckout, startPlanCheckout, startTrial, syncCheckoutReturn, upgradeNow } from "@/lib/payments";
import { setMailTransport } from "@/lib/email";
import { startMailServer, type ReceivedMail } from "../../helpers/mailbox";
import { withMailbox } from "../../helpers/with-mailbox";
import { addMembership, newOwner } from "../../helpers/factories";
import { CARDS, deliverThrice, eventsAbout, newWorkspace, pay, requestKey, startPayments, subscribedOnClock, subscriptionOf, type PaymentsEnv } from "../payments/helpers";

// Each lifecycle email, caused as the product causes it, arrives once at the SMTP server with its links.
const mail = withMailbox();
let env: PaymentsEnv;
beforeAll(async () => {
  env = await startPayments({ deliver: true });
});
afterAll(async () => {
  await env?.stop();
});

const HOUR = 3600;
const DAY = 86_400;
const root = path.resolve(import.meta.dirname, "../../..");

/** The message's link to a workspace page: under APP_URL, and a page the app has (tests/http follows them against the server). */
function pageLink(got: ReceivedMail, slug: string, page: string): string {
  const want = new URL(`/w/${slug}/${page}`, appEnv().APP_URL).toString();
  expect(got.links).toContain(want);
  expect(got.text).toContain(want);
  expect(fs.existsSync(path.join(root, "app/(app)/w/[slug]", page, "page.tsx"))).toBe(true);
  return want;
}

const mailsTo = (to: string, subject: RegExp) => mail.all({ to, subject });

describe("lifecycle emails", () => {
  it("pack receipt: once per checkout however many times the webhook and the success page apply it; to verified owners and admins only", async () => {
    const ws = await newWorkspace("receipt");
    const admin = await newOwner("receipt-admin");
    const member = await newOwner("receipt-member");
    const unverified = await newOwner("receipt-unverified", { verified: false });
    await addMembership(ws.workspaceId, admin.user.id, "ADMIN");
    await addMembership(ws.workspaceId, member.user.id, "MEMBER");
    await addMembership(ws.workspaceId, unverified.user.id, "ADMIN");
    const { url, sessionId } = await startPackCheckout(db(), { workspaceId: ws.workspaceId, slug: ws.slug, pack: "compute_500", requestKey: requestKey() });
    await pay(url);
    await env.emulator.idle();
    await syncCheckoutReturn(db(), { workspaceId: ws.workspaceId, sessionId });
    for (const e of await eventsAbout(env.stripe, "checkout.session.completed", sessionId)) await deliverThrice(e);

    const got = await mail.waitFor({ to: ws.email, subject: /^Receipt: 500 compute for / });
    expect(got.to.sort()).toEqual([ws.email, admin.user.email].sort());
    expect(got.text).toMatch(/Units: \*?\*?500/);
    expect(got.text).toContain(sessionId);
    pageLink(got, ws.slug, "invoices");
    await new Promise((r) => setTimeout(r, 300));
    expect(await mailsTo(ws.email, /^Receipt:/)).toHaveLength(1);
    expect(await mail.all({ to: member.user.email })).toHaveLength(0);
    expect(await mail.all({ to: unverified.user.email, subject: /Receipt/ })).toHaveLength(0);
  });

  it("payment failed, then degraded after 7 days and moved to Free after 14: each once, with its links", async () => {
    const ws = await newWorkspace("dunmail");
    const start = Math.floor(Date.now() / 1000);
    const clock = await env.stripe.testHelpers.testClocks.create({ frozen_time: start });
    const customer = await env.stripe.customers.create({ name: "dunmail", metadata: { workspaceId: ws.workspaceId }, test_clock: clock.id });
    await db().workspace.update({ where: { id: ws.workspaceId }, data: { stripeCustomerId: customer.id } });
    const { url } = await startPlanCheckout(db(), { workspaceId: ws.workspaceId, slug: ws.slug, planKey: "starter", interval: "month", requestKey: requestKey() });
    await pay(url);
    await env.emulator.idle();
    const row = await subscriptionOf(ws.workspaceId);
    const failing = await env.stripe.paymentMethods.attach("pm_card_chargeCustomerFail", { customer: customer.id });
    await env.stripe.subscriptions.update(row.stripeSubscriptionId!, { default_payment_method: failing.id });
    const renewal = Math.floor(row.currentPeriodEnd!.getTime() / 1000);
    await env.stripe.testHelpers.testClocks.advance(clock.id, { frozen_time: renewal + HOUR });
    await env.emulator.idle();

    const failed = await mail.waitFor({ to: ws.email, subject: /your payment of \$9\.99 failed$/ });
    expect(failed.text).toContain("declined");
    pageLink(failed, ws.slug, "billing");
    const invoice = await db().invoice.findFirstOrThrow({ where: { workspaceId: ws.workspaceId, status: "open" } });
    // The invoices page links each invoice's PDF, as Stripe gives it.
    expect(invoice.pdfUrl).toMatch(new RegExp(`/invoices/${invoice.stripeInvoiceId}/pdf$`));
    expect((await fetch(invoice.pdfUrl!)).status).toBe(200);
    for (const e of await eventsAbout(env.stripe, "invoice.payment_failed", invoice.stripeInvoiceId)) await deliverThrice(e);

    const at = (days: number) => new Date((renewal + days * DAY + HOUR) * 1000);
    await env.stripe.testHelpers.testClocks.advance(clock.id, { frozen_time: renewal + 7 * DAY + 2 * HOUR });
    await env.emulator.idle();
    await runDunning(db(), { now: at(7) });
    await runDunning(db(), { now: at(8) });
    const degraded = await mail.waitFor({ to: ws.email, subject: /payment is overdue, purchases are paused$/ });
    pageLink(degraded, ws.slug, "billing");

    await env.stripe.testHelpers.testClocks.advance(clock.id, { frozen_time: renewal + 14 * DAY + 2 * HOUR });
    await env.emulator.idle();
    await runDunning(db(), { now: at(14) });
    await runDunning(db(), { now: at(15) });
    expect((await subscriptionOf(ws.workspaceId)).status).toBe("unpaid");
    const free = await mail.waitFor({ to: ws.email, subject: /moved to the Free plan$/ });
    pageLink(free, ws.slug, "plans");

    await new Promise((r) => setTimeout(r, 300));
    expect(await mailsTo(ws.email, /failed$/)).toHaveLength(1);
    expect(await mailsTo(ws.email, /overdue/)).toHaveLength(1);
    expect(await mailsTo(ws.email, /Free plan$/)).toHaveLength(1);
    // Other files' sweeps share this database: leave nothing behind for them.
    await db().subscription.update({ where: { workspaceId: ws.workspaceId }, data: { status: "free", pastDueSince: null, stripeSubscriptionId: null } });
  });

  it("payment needs authentication: once per invoice, its link opens Stripe's hosted invoice page", async () => {
    const s = await subscribedOnClock(env, "starter", "sca-mail", CARDS.authAlways);
    const result = await upgradeNow(db(), { workspaceId: s.workspaceId, planKey: "pro", interval: "month", requestKey: requestKey() });
    expect(result.state).toBe("requires_action");
    if (result.state !== "requires_action") return;
    await env.emulator.idle();
    const got = await mail.waitFor({ to: s.email, subject: /confirm your payment of/ });
    expect(got.links).toContain(result.hostedInvoiceUrl);
    expect(got.text).toContain("Your plan change applies once the payment is confirmed.");
    const page = await fetch(result.hostedInvoiceUrl);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain("Complete authentication");
    const invoice = await db().invoice.findFirstOrThrow({ where: { workspaceId: s.workspaceId, paymentIssue: "requires_action" } });
    for (const e of await eventsAbout(env.stripe, "invoice.payment_action_required", invoice.stripeInvoiceId)) await deliverThrice(e);
    await new Promise((r) => setTimeout(r, 300));
    expect(await mailsTo(s.email, /confirm your payment/)).toHaveLength(1);
  });

  it("trial ending (3 days before, from the trials cron) and trial ended: each once however often the cron runs", async () => {
    const { user, workspace } = await newOwner("trialmail");
    const started = new Date(Date.now() - 5 * DAY * 1000);
    const { trialEndsAt } = await startTrial(db(), { workspaceId: workspace.id, planKey: "starter", userId: user.id, now: started });
    const now = new Date(trialEndsAt.getTime() - 2 * DAY * 1000);
    await endExpiredTrials(db(), { now });
    await endExpiredTrials(db(), { now: new Date(now.getTime() + HOUR * 1000) });
    const ending = await mail.waitFor({ to: user.email, subject: /Starter trial ends on/ });
    expect(ending.text).toContain("Subscribe before then");
    pageLink(ending, workspace.slug, "plans");

    const after = new Date(trialEndsAt.getTime() + HOUR * 1000);
    expect((await endExpiredTrials(db(), { now: after })).ended).toBeGreaterThanOrEqual(1);
    await endExpiredTrials(db(), { now: after });
    const ended = await mail.waitFor({ to: user.email, subject: /Starter trial has ended$/ });
    pageLink(ended, workspace.slug, "plans");
    await new Promise((r) => setTimeout(r, 300));
    expect(await mailsTo(user.email, /trial ends on/)).toHaveLength(1);
    expect(await mailsTo(user.email, /trial has ended/)).toHaveLength(1);
  });

  it("auto top-up succeeded and failed: once per attempt", async () => {
    const paid = await newWorkspace("auto-ok");
    const { url, sessionId } = await startPackCheckout(db(), { workspaceId: paid.workspaceId, slug: paid.slug, pack: "compute_500", requestKey: requestKey() });
    await pay(url);
    await syncCheckoutReturn(db(), { workspaceId: paid.workspaceId, sessionId });
    await configureAutoTopUp(db(), { workspaceId: paid.workspaceId, enabled: true, threshold: 450, pack: "compute_500", monthlyCap: 2 });
    const port = createStripePaymentsPort();
    await recordUsage(db(), { workspaceId: paid.workspaceId, feature: "compute", units: 160, idempotencyKey: requestKey() }, { payments: port, waitForSideEffects: true });
    const ok = await mail.waitFor({ to: paid.email, subject: /auto top-up added 500 compute$/ });
    pageLink(ok, paid.slug, "extras");
    await env.emulator.idle();
    const attempt = await db().autoTopUpAttempt.findFirstOrThrow({ where: { workspaceId: paid.workspaceId } });
    for (const e of await eventsAbout(env.stripe, "payment_intent.succeeded", attempt.paymentIntentId!)) await deliverThrice(e);

    // No saved card: the purchase is refused.
    const nocard = await newWorkspace("auto-nocard");
    await topupExtras(db(), { workspaceId: nocard.workspaceId, pack: "compute_500", checkoutSessionId: `cs_test_${crypto.randomUUID().replaceAll("-", "")}` });
    await configureAutoTopUp(db(), { workspaceId: nocard.workspaceId, enabled: true, threshold: 450, pack: "compute_500", monthlyCap: 2 });
    await recordUsage(db(), { workspaceId: nocard.workspaceId, feature: "compute", units: 160, idempotencyKey: requestKey() }, { payments: port, waitForSideEffects: true });
    const refused = await mail.waitFor({ to: nocard.email, subject: /auto top-up failed$/ });
    expect(refused.text).toContain("No saved card");
    pageLink(refused, nocard.slug, "extras");

    await new Promise((r) => setTimeout(r, 300));
    expect(await mailsTo(paid.email, /auto top-up/)).toHaveLength(1);
    expect(await mailsTo(nocard.email, /auto top-up/)).toHaveLength(1);
  });

  it("threshold: one email for a recording that crosses 80% and 100%, linking to the usage page", async () => {
    const ws = await newWorkspace("thresholdmail");
    // Free: 100 compute a week; no extras, so usage past the quota is refused.
    await recordUsage(db(), { workspaceId: ws.workspaceId, feature: "compute", units: 100, idempotencyKey: requestKey() }, { waitForSideEffects: true });
    const got = await mail.waitFor({ to: ws.email, subject: /2 usage alerts$/ });
    expect(got.text).toContain("80%");
    expect(got.text).toContain("100%");
    pageLink(got, ws.slug, "usage");
  });

  it("a mail server that is down never blocks billing: the pack is credited, the webhook answers 200, and the cron sends the receipt later", async () => {
    const dead = await startMailServer();
    await dead.stop();
    setMailTransport(dead.url);
    const ws = await newWorkspace("smtp-down");
    try {
      const { url, sessionId } = await startPackCheckout(db(), { workspaceId: ws.workspaceId, slug: ws.slug, pack: "compute_500", requestKey: requestKey() });
      await pay(url);
      await env.emulator.idle();
      expect(await syncCheckoutReturn(db(), { workspaceId: ws.workspaceId, sessionId })).toMatchObject({ kind: "extras", state: "credited" });
      for (const e of await eventsAbout(env.stripe, "checkout.session.completed", sessionId)) await deliverThrice(e);
      expect((await db().extrasAccount.findUniqueOrThrow({ where: { workspaceId: ws.workspaceId } })).balance.toString()).toBe("500");
      const n = await db().notification.findFirstOrThrow({ where: { workspaceId: ws.workspaceId, kind: "pack_receipt" } });
      expect(n.status).toBe("failed");
    } finally {
      setMailTransport(mail.url);
    }
    await deliverPendingNotifications(db());
    await mail.waitFor({ to: ws.email, subject: /^Receipt:/ });
    expect((await db().notification.findFirstOrThrow({ where: { workspaceId: ws.workspaceId, kind: "pack_receipt" } })).status).toBe("sent");
  });
});
