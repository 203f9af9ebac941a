// A Stripe subscription that ended stays on the workspace's row (its id, its status), and is read again later:
// by a redelivered event, and by the reconcile cron. What the workspace did since (a trial of the app's own)
// must survive those reads.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { db } from "@/lib/db";
import { endExpiredTrials, resyncSubscriptions, startTrial, syncSubscription } from "@/lib/payments";
import { startPayments, subscribedOnClock, subscriptionOf, type PaymentsEnv } from "./helpers";

let env: PaymentsEnv;
beforeAll(async () => {
  env = await startPayments({ deliver: true });
});
afterAll(async () => {
  await env?.stop();
});

const DAY = 86_400_000;

describe("after a Stripe subscription ended", () => {
  it("a trial started since is left alone by every later read of that subscription, and is told it ends", async () => {
    const ws = await subscribedOnClock(env, "starter", "ended-then-trial");
    await env.stripe.subscriptions.cancel(ws.subscriptionId);
    await env.emulator.idle();
    expect(await subscriptionOf(ws.workspaceId)).toMatchObject({ status: "free", stripeSubscriptionId: ws.subscriptionId, stripeStatus: "canceled" });
    // A trial whose 7 days end in 2.
    await startTrial(db(), { workspaceId: ws.workspaceId, planKey: "pro", userId: ws.userId, now: new Date(Date.now() - 5 * DAY) });
    // The ended subscription read again (a redelivered event, the reconcile's re-sync): nothing changes.
    expect(await syncSubscription(db(), { subscriptionId: ws.subscriptionId, workspaceId: ws.workspaceId })).toMatchObject({ applied: false, reason: "already ended" });
    await resyncSubscriptions(db());
    expect(await subscriptionOf(ws.workspaceId)).toMatchObject({ status: "trialing", plan: { key: "pro" } });
    await endExpiredTrials(db(), { now: new Date() });
    expect(await db().notification.count({ where: { workspaceId: ws.workspaceId, kind: "trial_will_end" } })).toBe(1);
  });
});
