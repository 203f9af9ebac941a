import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { db } from "@/lib/db";
import { recordUsage } from "@/lib/billing";
import { startPlanCheckout, syncCheckoutReturn, syncSubscription } from "@/lib/payments";
import type { Stripe } from "@/lib/stripe";
import { advanceTestClock } from "@tally/stripe-emulator/testing";
import { CARDS, deliver, eventsOf, newWorkspace, pay, requestKey, startPayments, subscriptionOf, type PaymentsEnv } from "./helpers";

let env: PaymentsEnv;
beforeAll(async () => {
  env = await startPayments();
});
afterAll(async () => {
  await env?.stop();
});

const ofSubscription = async (type: string, id: string) => (await eventsOf(env.stripe, type)).filter((e) => (e.data.object as { id: string }).id === id);

/** The app's row says what the emulator's subscription says now. */
async function expectMirrors(workspaceId: string, subscriptionId: string) {
  const stripeSub = await env.stripe.subscriptions.retrieve(subscriptionId);
  const row = await subscriptionOf(workspaceId);
  if (stripeSub.status === "canceled") {
    expect([row.plan.key, row.status, row.stripeSubscriptionId]).toEqual(["free", "free", subscriptionId]);
    return;
  }
  const item = stripeSub.items.data[0]!;
  expect({
    plan: row.plan.key,
    status: row.status,
    start: row.currentPeriodStart?.getTime(),
    end: row.currentPeriodEnd?.getTime(),
    cancelAtPeriodEnd: row.cancelAtPeriodEnd,
  }).toEqual({
    plan: item.price.lookup_key!.split("_v")[0],
    status: stripeSub.status,
    start: item.current_period_start * 1000,
    end: item.current_period_end * 1000,
    cancelAtPeriodEnd: stripeSub.cancel_at_period_end,
  });
}

describe("out-of-order delivery converges on Stripe's current subscription", () => {
  it("updated before created, then deleted before an older updated: never regresses", async () => {
    const ws = await newWorkspace("order");
    const { url } = await startPlanCheckout(db(), { workspaceId: ws.workspaceId, slug: ws.slug, planKey: "starter", interval: "month", requestKey: requestKey() });
    await pay(url);
    const subscriptionId = (await env.stripe.subscriptions.list({ limit: 100 })).data.find((s) => s.metadata.workspaceId === ws.workspaceId)!.id;

    const created = (await ofSubscription("customer.subscription.created", subscriptionId))[0]!;
    const updates = await ofSubscription("customer.subscription.updated", subscriptionId);
    expect((created.data.object as Stripe.Subscription).status).toBe("incomplete");
    expect((await deliver(updates[0]!)).status).toBe(200);
    await expectMirrors(ws.workspaceId, subscriptionId);
    expect((await deliver(created)).status).toBe(200);
    await expectMirrors(ws.workspaceId, subscriptionId);
    expect((await subscriptionOf(ws.workspaceId)).status).toBe("active");

    await env.stripe.subscriptions.update(subscriptionId, { cancel_at_period_end: true });
    await env.stripe.subscriptions.cancel(subscriptionId);
    const [deleted] = await ofSubscription("customer.subscription.deleted", subscriptionId);
    const lateUpdate = (await ofSubscription("customer.subscription.updated", subscriptionId))[0]!;
    expect((lateUpdate.data.object as Stripe.Subscription).cancel_at_period_end).toBe(true);

    expect((await deliver(deleted!)).status).toBe(200);
    await expectMirrors(ws.workspaceId, subscriptionId);
    expect((await deliver(lateUpdate)).status).toBe(200);
    expect((await deliver(created)).status).toBe(200);
    await expectMirrors(ws.workspaceId, subscriptionId);
    const row = await subscriptionOf(ws.workspaceId);
    expect([row.plan.key, row.status]).toEqual(["free", "free"]);
  });

  it("an old subscription's late events do not displace the workspace's newer subscription", async () => {
    const ws = await newWorkspace("two");
    const first = await startPlanCheckout(db(), { workspaceId: ws.workspaceId, slug: ws.slug, planKey: "starter", interval: "month", requestKey: requestKey() });
    await pay(first.url);
    const oldSub = (await env.stripe.subscriptions.list({ limit: 100 })).data.find((s) => s.metadata.workspaceId === ws.workspaceId)!;
    await env.stripe.subscriptions.cancel(oldSub.id);
    const [deleted] = await ofSubscription("customer.subscription.deleted", oldSub.id);
    expect((await deliver(deleted!)).status).toBe(200);

    const second = await startPlanCheckout(db(), { workspaceId: ws.workspaceId, slug: ws.slug, planKey: "pro", interval: "year", requestKey: requestKey() });
    await pay(second.url);
    const completed = (await eventsOf(env.stripe, "checkout.session.completed")).find((e) => (e.data.object as { id: string }).id === second.sessionId)!;
    expect((await deliver(completed)).status).toBe(200);
    const oldCreated = (await ofSubscription("customer.subscription.created", oldSub.id))[0]!;
    expect((await deliver(oldCreated)).status).toBe(200);
    expect((await deliver(deleted!)).status).toBe(200);
    const row = await subscriptionOf(ws.workspaceId);
    expect([row.plan.key, row.interval, row.status]).toEqual(["pro", "year", "active"]);
    expect(row.stripeSubscriptionId).not.toBe(oldSub.id);
  });
});

/** Two subscription checkouts of one workspace (Starter, then Pro) paid in the same second of its customer's frozen clock; no event delivered yet. */
async function twoCompletedCheckouts(label: string) {
  const ws = await newWorkspace(label);
  const clock = await env.stripe.testHelpers.testClocks.create({ frozen_time: Math.floor(Date.now() / 1000) });
  const customer = await env.stripe.customers.create({ name: label, metadata: { workspaceId: ws.workspaceId }, test_clock: clock.id });
  await db().workspace.update({ where: { id: ws.workspaceId }, data: { stripeCustomerId: customer.id } });
  const first = await startPlanCheckout(db(), { workspaceId: ws.workspaceId, slug: ws.slug, planKey: "starter", interval: "month", requestKey: requestKey() });
  await pay(first.url);
  // The first is complete, so it is no longer open, and Tally has not heard of it yet: a second checkout starts.
  const second = await startPlanCheckout(db(), { workspaceId: ws.workspaceId, slug: ws.slug, planKey: "pro", interval: "month", requestKey: requestKey() });
  expect(second.sessionId).not.toBe(first.sessionId);
  await pay(second.url);
  const subs = (await env.stripe.subscriptions.list({ customer: customer.id, status: "all" })).data;
  const subOf = async (sessionId: string) => (await env.stripe.checkout.sessions.retrieve(sessionId)).subscription as string;
  const a = { sessionId: first.sessionId, subscriptionId: await subOf(first.sessionId) };
  const b = { sessionId: second.sessionId, subscriptionId: await subOf(second.sessionId) };
  expect(subs.map((s) => s.created)).toEqual([subs[0]!.created, subs[0]!.created]);
  return { ...ws, customerId: customer.id, a, b };
}

/** Every event about one checkout and its subscription (its invoices included), oldest first. */
async function eventsAbout(ids: { sessionId: string; subscriptionId: string }): Promise<Stripe.Event[]> {
  const out: Stripe.Event[] = [];
  for await (const e of env.stripe.events.list({ limit: 100 })) {
    const text = JSON.stringify(e.data.object);
    if (text.includes(ids.sessionId) || text.includes(ids.subscriptionId)) out.push(e);
  }
  return out.reverse();
}

const isCompletion = (e: Stripe.Event) => e.type === "checkout.session.completed";

async function deliverAll(events: Stripe.Event[]) {
  for (const e of events) expect((await deliver(e)).status, `${e.type} ${e.id}`).toBe(200);
}

/** Exactly one live subscription at Stripe, Pro (the one chosen last); Starter's cancelled with its payment refunded once. */
async function expectProKept(w: Awaited<ReturnType<typeof twoCompletedCheckouts>>) {
  const live = (await env.stripe.subscriptions.list({ customer: w.customerId, status: "all" })).data.filter((s) => s.status !== "canceled");
  expect(live.map((s) => s.id)).toEqual([w.b.subscriptionId]);
  expect(live[0]!.items.data[0]!.price.lookup_key).toMatch(/^pro_/);
  const payments = async (subscriptionId: string) => {
    const [invoice] = (await env.stripe.invoices.list({ subscription: subscriptionId, status: "paid", expand: ["data.payments"] })).data;
    const pi = invoice!.payments!.data[0]!.payment.payment_intent as string;
    return { paid: invoice!.amount_paid, refunds: (await env.stripe.refunds.list({ payment_intent: pi })).data.map((r) => [r.amount, r.status]) };
  };
  const starter = await payments(w.a.subscriptionId);
  expect(starter.refunds).toEqual([[starter.paid, "succeeded"]]);
  expect((await payments(w.b.subscriptionId)).refunds).toEqual([]);
  const row = await subscriptionOf(w.workspaceId);
  expect([row.plan.key, row.status, row.stripeSubscriptionId]).toEqual(["pro", "active", w.b.subscriptionId]);
}

describe("a completion Tally learns of late", () => {
  it("ranks by when its checkout completed: the customer's last choice is kept whichever was applied first", async () => {
    const ws = await newWorkspace("dup-late");
    const start = Math.floor(Date.now() / 1000);
    const clock = await env.stripe.testHelpers.testClocks.create({ frozen_time: start });
    const customer = await env.stripe.customers.create({ name: "dup-late", metadata: { workspaceId: ws.workspaceId }, test_clock: clock.id });
    await db().workspace.update({ where: { id: ws.workspaceId }, data: { stripeCustomerId: customer.id } });
    // Starter completes while the webhook is down; a minute later Pro completes, and is applied first.
    const first = await startPlanCheckout(db(), { workspaceId: ws.workspaceId, slug: ws.slug, planKey: "starter", interval: "month", requestKey: requestKey() });
    await pay(first.url);
    await advanceTestClock(env.stripe, clock.id, start + 60);
    const second = await startPlanCheckout(db(), { workspaceId: ws.workspaceId, slug: ws.slug, planKey: "pro", interval: "month", requestKey: requestKey() });
    expect(second.sessionId).not.toBe(first.sessionId);
    await pay(second.url);
    const subOf = async (sessionId: string) => (await env.stripe.checkout.sessions.retrieve(sessionId)).subscription as string;
    const a = { sessionId: first.sessionId, subscriptionId: await subOf(first.sessionId) };
    const b = { sessionId: second.sessionId, subscriptionId: await subOf(second.sessionId) };
    await deliverAll(await eventsAbout(b));
    // Then Starter's events, recovered late: Pro stays, Starter is cancelled and refunded.
    await deliverAll(await eventsAbout(a));
    await deliverAll(await eventsAbout(b));
    const live = (await env.stripe.subscriptions.list({ customer: customer.id, status: "all" })).data.filter((x) => x.status !== "canceled");
    expect(live.map((x) => x.id)).toEqual([b.subscriptionId]);
    const row = await subscriptionOf(ws.workspaceId);
    expect([row.plan.key, row.status, row.stripeSubscriptionId]).toEqual(["pro", "active", b.subscriptionId]);
  });
});

describe("a duplicate subscription's refund that fails", () => {
  it("is told to operators, once: the customer paid twice and nothing retries it", async () => {
    const ws = await newWorkspace("dup-refund-fails");
    const first = await startPlanCheckout(db(), { workspaceId: ws.workspaceId, slug: ws.slug, planKey: "starter", interval: "month", requestKey: requestKey() });
    await pay(first.url, CARDS.refundFails);
    const second = await startPlanCheckout(db(), { workspaceId: ws.workspaceId, slug: ws.slug, planKey: "pro", interval: "month", requestKey: requestKey() });
    await pay(second.url);
    const subOf = async (sessionId: string) => (await env.stripe.checkout.sessions.retrieve(sessionId)).subscription as string;
    const a = { sessionId: first.sessionId, subscriptionId: await subOf(first.sessionId) };
    const b = { sessionId: second.sessionId, subscriptionId: await subOf(second.sessionId) };
    await deliverAll([...(await eventsAbout(a)), ...(await eventsAbout(b))]);
    const refund = (await env.stripe.refunds.list({ limit: 100 })).data.find((r) => r.metadata?.duplicateSubscriptionId === a.subscriptionId)!;
    expect(refund.status).toBe("failed");
    const failed = (await eventsOf(env.stripe, "refund.failed")).filter((e) => (e.data.object as { id: string }).id === refund.id);
    expect(failed.length).toBeGreaterThan(0);
    await deliverAll([...failed, ...failed]);
    const alerts = await db().operatorAlert.findMany({ where: { kind: "duplicate_refund_failed", subjectId: refund.id } });
    expect(alerts).toHaveLength(1);
    expect(alerts[0]).toMatchObject({ workspaceId: ws.workspaceId, message: expect.stringContaining(a.subscriptionId) });
  });
});

describe("two subscription checkouts completed for one workspace in the same second", () => {
  it("webhooks in the order of completion: the first is cancelled and refunded, the last kept", async () => {
    const w = await twoCompletedCheckouts("dup-in-order");
    await deliverAll([...(await eventsAbout(w.a)), ...(await eventsAbout(w.b))]);
    await expectProKept(w);
    // What the cancellation and the refund sent, and every event again in reverse: nothing moves.
    await deliverAll([...(await eventsAbout(w.b)), ...(await eventsAbout(w.a))].reverse());
    await expectProKept(w);
    // Tally's own notes lost and Stripe's idempotency keys expired: Stripe's record still says it is refunded.
    await db().subscriptionCheckout.updateMany({ where: { workspaceId: w.workspaceId }, data: { endedAt: null, supersededBy: null } });
    env.emulator.emulator.idempotency.reset();
    await syncSubscription(db(), { subscriptionId: w.a.subscriptionId, workspaceId: w.workspaceId });
    await expectProKept(w);
    expect((await db().subscriptionCheckout.findUniqueOrThrow({ where: { stripeSubscriptionId: w.a.subscriptionId } })).supersededBy).toBe(w.b.subscriptionId);
  });

  it("the last checkout's subscription events first, completions after in order: converges on the last", async () => {
    const w = await twoCompletedCheckouts("dup-reversed");
    const [a, b] = [await eventsAbout(w.a), await eventsAbout(w.b)];
    await deliverAll([...b.filter((e) => !isCompletion(e)), ...a.filter((e) => !isCompletion(e))]);
    await deliverAll([...a.filter(isCompletion), ...b.filter(isCompletion)]);
    await expectProKept(w);
    await deliverAll([...(await eventsAbout(w.a)), ...(await eventsAbout(w.b))].reverse());
    await expectProKept(w);
  });

  it("success pages in the order of payment, then every webhook in reverse: converges on the last", async () => {
    const w = await twoCompletedCheckouts("dup-pages");
    await syncCheckoutReturn(db(), { workspaceId: w.workspaceId, sessionId: w.a.sessionId });
    await syncCheckoutReturn(db(), { workspaceId: w.workspaceId, sessionId: w.b.sessionId });
    await expectProKept(w);
    await deliverAll([...(await eventsAbout(w.a)), ...(await eventsAbout(w.b))].reverse());
    await expectProKept(w);
  });
});

describe("a sync waiting on Stripe", () => {
  // Each Stripe call takes this long during the sync; the recording must finish while the sync is still waiting
  // on Stripe (no clock is read: on a loaded machine a recording may itself take a while).
  const LATENCY = 4000;
  type Trigger = (input: { subscriptionId: string; workspaceId: string; updated: Stripe.Event }) => Promise<unknown>;
  const triggers: Record<string, Trigger> = {
    "a direct sync": ({ subscriptionId, workspaceId }) => syncSubscription(db(), { subscriptionId, workspaceId }),
    "a webhook's sync (its effects in one transaction)": async ({ updated }) => expect((await deliver(updated)).status).toBe(200),
  };
  for (const [name, trigger] of Object.entries(triggers)) {
    it(`does not hold up usage of the workspace: a recording that opens a window completes meanwhile (${name})`, async () => {
      const ws = await newWorkspace("slow");
      const { sessionId, url } = await startPlanCheckout(db(), { workspaceId: ws.workspaceId, slug: ws.slug, planKey: "starter", interval: "month", requestKey: requestKey() });
      await pay(url);
      await syncCheckoutReturn(db(), { workspaceId: ws.workspaceId, sessionId });
      const subscriptionId = (await subscriptionOf(ws.workspaceId)).stripeSubscriptionId!;
      const [updated] = await ofSubscription("customer.subscription.updated", subscriptionId);
      expect(await db().usageWindow.count({ where: { workspaceId: ws.workspaceId, feature: "api_calls" } })).toBe(0);

      env.emulator.setLatency(LATENCY);
      try {
        let synced = false;
        const sync = trigger({ subscriptionId, workspaceId: ws.workspaceId, updated: updated! }).finally(() => (synced = true));
        await new Promise((resolve) => setTimeout(resolve, 300));
        const answer = await recordUsage(db(), { workspaceId: ws.workspaceId, feature: "api_calls", units: 1, idempotencyKey: "while-syncing" });
        expect(answer.allowed).toBe(true);
        expect(synced).toBe(false);
        expect(await db().usageWindow.count({ where: { workspaceId: ws.workspaceId, feature: "api_calls" } })).toBe(1);
        await sync;
      } finally {
        env.emulator.setLatency(0);
      }
      expect((await subscriptionOf(ws.workspaceId)).stripeSubscriptionId).toBe(subscriptionId);
    });
  }
});
