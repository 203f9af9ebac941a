import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { db } from "@/lib/db";
import { runDunning } from "@/lib/payments";
import { newWorkspace, startPayments, subscriptionOf, type PaymentsEnv } from "./helpers";

let env: PaymentsEnv;
beforeAll(async () => {
  env = await startPayments();
});
afterAll(async () => {
  await env?.stop();
});

const DAY = 86_400_000;

describe("dunning sweep", () => {
  it("goes on past a subscription Stripe no longer knows, leaving that workspace as it is", async () => {
    const gone = await newWorkspace("dun-gone");
    const other = await newWorkspace("dun-other");
    const since = new Date(Date.now() - 8 * DAY);
    await db().subscription.update({ where: { workspaceId: gone.workspaceId }, data: { status: "past_due", pastDueSince: since, stripeSubscriptionId: `sub_gone_${gone.workspaceId}` } });
    await db().subscription.update({ where: { workspaceId: other.workspaceId }, data: { status: "past_due", pastDueSince: since } });

    const summary = await runDunning(db());
    expect(summary.failed).toBeGreaterThanOrEqual(1);
    expect((await subscriptionOf(gone.workspaceId)).status).toBe("past_due");
    expect((await subscriptionOf(other.workspaceId)).status).toBe("degraded");
    // Other files' sweeps share this database: leave nothing behind for them to trip over.
    await db().subscription.updateMany({ where: { workspaceId: { in: [gone.workspaceId, other.workspaceId] } }, data: { status: "free", pastDueSince: null, stripeSubscriptionId: null } });
  });
});
