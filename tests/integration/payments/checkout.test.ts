import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { db } from "@/lib/db";
import { limitations } from "@/lib/billing";
import { startPackCheckout, startPlanCheckout, startTrial, syncCheckoutReturn } from "@/lib/payments";
import { deliver, eventsOf, newWorkspace, pay, requestKey, startPayments, subscriptionOf, type PaymentsEnv } from "./helpers";

let env: PaymentsEnv;
beforeAll(async () => {
  env = await startPayments();
});
afterAll(async () => {
  await env?.stop();
});

const completedEvent = async (sessionId: string) =>
  (await eventsOf(env.stripe, "checkout.session.completed")).find((e) => (e.data.object as { id: string }).id === sessionId)!;

const limitOf = async (workspaceId: string, feature: string) => (await limitations(db(), workspaceId)).entitlements.find((e) => e.feature === feature)?.limit;

describe("checkout", () => {
  it("subscription mode: checkout.session.completed activates the plan and its quotas", async () => {
    const ws = await newWorkspace("sub");
    expect(await limitOf(ws.workspaceId, "compute")).toBe("100");
    const { sessionId, url } = await startPlanCheckout(db(), { workspaceId: ws.workspaceId, slug: ws.slug, planKey: "pro", interval: "month", requestKey: requestKey() });
    const session = await env.stripe.checkout.sessions.retrieve(sessionId);
    expect(session).toMatchObject({ mode: "subscription", client_reference_id: ws.workspaceId, automatic_tax: { enabled: true } });
    expect(session.metadata).toEqual({ workspaceId: ws.workspaceId, planKey: "pro", planVersion: "1" });
    expect(session.success_url).toMatch(new RegExp(`/w/${ws.slug}/billing\\?checkout=success&session_id=\\{CHECKOUT_SESSION_ID\\}$`));
    expect(session.cancel_url).toMatch(new RegExp(`/w/${ws.slug}/plans`));
    await pay(url);
    expect((await subscriptionOf(ws.workspaceId)).status).toBe("free");

    const res = await deliver(await completedEvent(sessionId));
    expect(res.status).toBe(200);
    const sub = await subscriptionOf(ws.workspaceId);
    const stripeSub = await env.stripe.subscriptions.retrieve(sub.stripeSubscriptionId!);
    expect([sub.plan.key, sub.status, sub.interval, stripeSub.status]).toEqual(["pro", "active", "month", "active"]);
    expect(sub.currentPeriodEnd?.getTime()).toBe(stripeSub.items.data[0]!.current_period_end * 1000);
    expect(await limitOf(ws.workspaceId, "compute")).toBe("10000");
    expect(await limitOf(ws.workspaceId, "seats")).toBe("10");
  });

  it("payment mode: the success-page sync and the webhook race, and the pack is credited exactly once", async () => {
    const ws = await newWorkspace("pack");
    const { sessionId, url } = await startPackCheckout(db(), { workspaceId: ws.workspaceId, slug: ws.slug, pack: "compute_500", requestKey: requestKey() });
    const session = await env.stripe.checkout.sessions.retrieve(sessionId);
    expect(session).toMatchObject({ mode: "payment", automatic_tax: { enabled: true } });
    expect(session.metadata).toMatchObject({ workspaceId: ws.workspaceId, kind: "extras" });
    await pay(url);
    const event = await completedEvent(sessionId);
    const results = await Promise.all([
      syncCheckoutReturn(db(), { workspaceId: ws.workspaceId, sessionId }),
      deliver(event),
      syncCheckoutReturn(db(), { workspaceId: ws.workspaceId, sessionId }),
      deliver(event),
    ]);
    expect((results[1] as Response).status).toBe(200);
    expect((results[3] as Response).status).toBe(200);
    expect(results[0]).toMatchObject({ kind: "extras", state: "credited", units: "500" });
    const lots = await db().extrasLot.findMany({ where: { workspaceId: ws.workspaceId } });
    expect(lots.map((l) => [l.checkoutSessionId, l.units.toString(), l.amountCents])).toEqual([[sessionId, "500", 2000]]);
    expect((await db().ledgerEntry.count({ where: { workspaceId: ws.workspaceId, kind: "topup" } }))).toBe(1);
    expect((await db().extrasAccount.findUniqueOrThrow({ where: { workspaceId: ws.workspaceId } })).balance.toString()).toBe("500");
  });

  it("the success-page sync refuses another workspace's session", async () => {
    const a = await newWorkspace("own");
    const b = await newWorkspace("other");
    const { sessionId, url } = await startPackCheckout(db(), { workspaceId: a.workspaceId, slug: a.slug, pack: "compute_500", requestKey: requestKey() });
    await pay(url);
    await expect(syncCheckoutReturn(db(), { workspaceId: b.workspaceId, sessionId })).rejects.toMatchObject({ code: "not_found" });
    expect(await db().extrasLot.count({ where: { workspaceId: { in: [a.workspaceId, b.workspaceId] } } })).toBe(0);
  });

  it("an unknown plan or pack is bad input (400 invalid_request), not a missing workspace", async () => {
    const ws = await newWorkspace("unknown-plan");
    await expect(startPlanCheckout(db(), { workspaceId: ws.workspaceId, slug: ws.slug, planKey: "nope", interval: "month", requestKey: requestKey() })).rejects.toMatchObject({ code: "invalid_request", details: { field: "plan" } });
    await expect(startPackCheckout(db(), { workspaceId: ws.workspaceId, slug: ws.slug, pack: "nope", requestKey: requestKey() })).rejects.toMatchObject({ code: "invalid_request", details: { field: "pack" } });
  });

  it("a request key sent again with other return URLs is an idempotency conflict (409), not a failure", async () => {
    const ws = await newWorkspace("pack-key-conflict");
    const key = requestKey();
    const at = (path: string) => ({ success: `https://app.integrator.test/${path}`, cancel: "https://app.integrator.test/back" });
    const first = await startPackCheckout(db(), { workspaceId: ws.workspaceId, slug: ws.slug, pack: "compute_500", requestKey: key, returnUrls: at("a") });
    const again = await startPackCheckout(db(), { workspaceId: ws.workspaceId, slug: ws.slug, pack: "compute_500", requestKey: key, returnUrls: at("a") });
    expect(again.sessionId).toBe(first.sessionId);
    await expect(startPackCheckout(db(), { workspaceId: ws.workspaceId, slug: ws.slug, pack: "compute_500", requestKey: key, returnUrls: at("b") })).rejects.toMatchObject({
      code: "idempotency_conflict",
      status: 409,
    });
  });

  it("a double-clicked checkout creates one Stripe session; a new click reuses the open one, another plan replaces it", async () => {
    const ws = await newWorkspace("dbl");
    const key = requestKey();
    const input = { workspaceId: ws.workspaceId, slug: ws.slug, planKey: "starter", interval: "month" as const, requestKey: key };
    const [first, second] = await Promise.all([startPlanCheckout(db(), input), startPlanCheckout(db(), input)]);
    expect(second.sessionId).toBe(first.sessionId);
    const customer = (await db().workspace.findUniqueOrThrow({ where: { id: ws.workspaceId } })).stripeCustomerId!;
    expect((await env.stripe.checkout.sessions.list({ customer })).data).toHaveLength(1);
    expect((await env.stripe.customers.list({ limit: 100 })).data.filter((c) => c.metadata.workspaceId === ws.workspaceId)).toHaveLength(1);
    const third = await startPlanCheckout(db(), { ...input, requestKey: requestKey() });
    expect(third).toEqual(first);
    expect((await env.stripe.checkout.sessions.list({ customer })).data).toHaveLength(1);

    const pro = await startPlanCheckout(db(), { ...input, planKey: "pro", requestKey: requestKey() });
    expect(pro.sessionId).not.toBe(first.sessionId);
    const sessions = (await env.stripe.checkout.sessions.list({ customer })).data;
    expect(sessions.map((s) => [s.id, s.status]).sort()).toEqual([[first.sessionId, "expired"], [pro.sessionId, "open"]].sort());
    expect((await startPlanCheckout(db(), { ...input, planKey: "pro", requestKey: requestKey() })).sessionId).toBe(pro.sessionId);
  });

  it("one request key is one request: sent again for another plan or pack it is 409 and the open checkout stays", async () => {
    const ws = await newWorkspace("key-other-plan");
    const key = requestKey();
    const input = { workspaceId: ws.workspaceId, slug: ws.slug, planKey: "starter", interval: "month" as const, requestKey: key };
    const first = await startPlanCheckout(db(), input);
    await expect(startPlanCheckout(db(), { ...input, planKey: "pro" })).rejects.toMatchObject({ code: "idempotency_conflict", status: 409 });
    await expect(startPlanCheckout(db(), { ...input, interval: "year" })).rejects.toMatchObject({ code: "idempotency_conflict" });
    expect((await env.stripe.checkout.sessions.retrieve(first.sessionId)).status).toBe("open");
    expect((await startPlanCheckout(db(), input)).sessionId).toBe(first.sessionId);

    const packKey = requestKey();
    await startPackCheckout(db(), { workspaceId: ws.workspaceId, slug: ws.slug, pack: "compute_500", requestKey: packKey });
    const other = await db().extrasPack.findFirstOrThrow({ where: { active: true, key: { not: "compute_500" } } });
    await expect(startPackCheckout(db(), { workspaceId: ws.workspaceId, slug: ws.slug, pack: other.key, requestKey: packKey })).rejects.toMatchObject({ code: "idempotency_conflict" });
  });

  it("a request key whose checkout has expired since opens a new one, not the dead page", async () => {
    const ws = await newWorkspace("key-expired");
    const input = { workspaceId: ws.workspaceId, slug: ws.slug, pack: "compute_500", requestKey: requestKey() };
    const first = await startPackCheckout(db(), input);
    await env.stripe.checkout.sessions.expire(first.sessionId);
    const again = await startPackCheckout(db(), input);
    expect(again.sessionId).not.toBe(first.sessionId);
    expect((await env.stripe.checkout.sessions.retrieve(again.sessionId)).status).toBe("open");
    expect((await startPackCheckout(db(), input)).sessionId).toBe(again.sessionId);
    // Expired again: again a new one.
    await env.stripe.checkout.sessions.expire(again.sessionId);
    const third = await startPackCheckout(db(), input);
    expect([first.sessionId, again.sessionId]).not.toContain(third.sessionId);
    expect((await env.stripe.checkout.sessions.retrieve(third.sessionId)).status).toBe("open");
  });

  it("a request key whose checkout was paid answers that checkout again, never a new one to pay", async () => {
    const ws = await newWorkspace("key-paid");
    const input = { workspaceId: ws.workspaceId, slug: ws.slug, pack: "compute_500", requestKey: requestKey() };
    const first = await startPackCheckout(db(), input);
    await pay(first.url);
    expect(await startPackCheckout(db(), input)).toEqual(first);
  });

  it("a checkout opened before a trial started is not reused during the trial: the new one carries the trial over", async () => {
    const ws = await newWorkspace("trialreuse");
    const input = { workspaceId: ws.workspaceId, slug: ws.slug, planKey: "pro", interval: "month" as const };
    const before = await startPlanCheckout(db(), { ...input, requestKey: requestKey() });
    await startTrial(db(), { workspaceId: ws.workspaceId, planKey: "starter", userId: ws.userId });
    const during = await startPlanCheckout(db(), { ...input, requestKey: requestKey() });
    expect(during.sessionId).not.toBe(before.sessionId);
    expect((await env.stripe.checkout.sessions.retrieve(before.sessionId)).status).toBe("expired");
    await pay(during.url);
    await syncCheckoutReturn(db(), { workspaceId: ws.workspaceId, sessionId: during.sessionId });
    const row = await subscriptionOf(ws.workspaceId);
    expect([row.plan.key, row.status]).toEqual(["pro", "trialing"]);
    // Subscribed now: another checkout is refused, the plan is changed instead.
    expect((await startPlanCheckout(db(), { ...input, planKey: "max", requestKey: requestKey() }).catch((e: Error) => e.message))).toMatch(/already has a paid subscription/);
  });
});
