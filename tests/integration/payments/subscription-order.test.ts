import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { db } from "@/lib/db";
import { startPlanCheckout } from "@/lib/payments";
import type { Stripe } from "@/lib/stripe";
import { deliver, eventsOf, newWorkspace, pay, requestKey, startPayments, subscriptionOf, type PaymentsEnv } from "./helpers";

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
