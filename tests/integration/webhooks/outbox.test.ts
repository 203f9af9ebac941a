import { afterAll, afterEach, describe, expect, it } from "vitest";
import { expireLots, onPlanChanged, publishPlan, recordUsage, topupExtras } from "@/lib/billing";
import { EVENT_TYPE_LIST } from "@/lib/webhooks/event-types";
import { BACKOFF_MS, disableFailingEndpoint, eventBody, GIVE_UP_MS, pruneWebhookEvents, runDeliveries } from "@/lib/webhooks/deliver";
import { createEndpoint, endpointDeliveries, failingDeliveries, listEndpoints, listEndpointsWithCounts, resendDelivery, setEndpointEnabled, updateEndpoint } from "@/lib/webhooks/endpoints";
import type { Post } from "@/lib/webhooks/post";
import type { Client } from "@/lib/db";
import { consoleOverview } from "@/lib/admin/overview";
import { asOperator } from "@/lib/admin/subscriptions";
import { GET as webhooksCron } from "@/app/api/cron/webhooks/route";
import { startReceiver } from "@/tests/helpers/webhook-receiver";
import { recordingDb, tableReads } from "@/tests/helpers/query-plans";
import { closeTestDb, ON_PGLITE, seedWorkspace, testDb, uid } from "../billing/helpers";

const op = { id: "op_webhooks_test", email: "ops@example.test" };
const receivers: Awaited<ReturnType<typeof startReceiver>>[] = [];

async function endpointWithReceiver(opts: { status?: number; eventTypes?: string[]; verifyTimestamp?: boolean } = {}) {
  const receiver = await startReceiver({ status: opts.status, verifyTimestamp: opts.verifyTimestamp });
  receivers.push(receiver);
  const { endpoint, secret } = await createEndpoint(testDb(), op, { url: receiver.url, eventTypes: opts.eventTypes ?? EVENT_TYPE_LIST });
  receiver.state.secret = secret;
  return { receiver, endpoint, secret };
}

// Endpoints hear every workspace: remove this file's, so other files on this database write no events.
afterEach(async () => {
  await testDb().webhookEndpoint.deleteMany({});
  await testDb().outboxEvent.deleteMany({});
  await Promise.all(receivers.splice(0).map((r) => r.close()));
});
const recorder = recordingDb();
afterAll(async () => {
  await recorder.close();
  await closeTestDb();
});

describe("outgoing webhooks", () => {
  it("writes no event when no endpoint subscribes, and nothing for types nobody subscribes to", async () => {
    const { workspaceId } = await seedWorkspace({ compute: { limit: "10", overflow: "block", period: "week" } });
    await recordUsage(testDb(), { workspaceId, feature: "compute", units: 10, idempotencyKey: `k-${uid()}` });
    expect(await testDb().outboxEvent.count({ where: { workspaceId } })).toBe(0);
    await endpointWithReceiver({ eventTypes: ["invoice.paid"] });
    const other = await seedWorkspace({ compute: { limit: "10", overflow: "block", period: "week" } });
    await recordUsage(testDb(), { workspaceId: other.workspaceId, feature: "compute", units: 10, idempotencyKey: `k-${uid()}` });
    expect(await testDb().outboxEvent.count({ where: { workspaceId: other.workspaceId } })).toBe(0);
  });

  it("writes events in the change's transaction and delivers them signed, as Standard Webhooks says", async () => {
    const { workspaceId } = await seedWorkspace({ compute: { limit: "10", overflow: "block", period: "week" } });
    const { receiver } = await endpointWithReceiver();
    await recordUsage(testDb(), { workspaceId, feature: "compute", units: 8, idempotencyKey: `k-${uid()}` });
    await recordUsage(testDb(), { workspaceId, feature: "compute", units: 2, idempotencyKey: `k-${uid()}` });
    await topupExtras(testDb(), { workspaceId, pack: "compute_500", units: 40, checkoutSessionId: `cs_${uid()}` });
    // A change rolled back writes no event.
    await expect(testDb().$transaction(async (tx) => {
      await topupExtras(tx, { workspaceId, pack: "compute_500", units: 5, checkoutSessionId: `cs_${uid()}` });
      throw new Error("rolled back");
    })).rejects.toThrow("rolled back");
    const summary = await runDeliveries(testDb());
    expect(summary).toMatchObject({ delivered: 4, failed: 0 });
    expect(receiver.state.rejected).toBe(0);
    const got = receiver.received.map((r) => [r.body.type, r.body.data.threshold ?? r.body.data.units]).sort();
    expect(got).toEqual([["extras.credited", "40"], ["usage.limit_reached", undefined], ["usage.threshold_crossed", 100], ["usage.threshold_crossed", 80]]);
    for (const r of receiver.received) {
      expect(r.id).toMatch(/^msg_[0-9a-f]{32}$/);
      expect(r.body).toMatchObject({ id: r.id, workspace: { id: workspaceId, externalId: null } });
      expect(Object.keys(r.body)).toEqual(["id", "type", "createdAt", "workspace", "data"]);
      expect(new Date(r.body.createdAt).toISOString()).toBe(r.body.createdAt);
    }
    const limit = receiver.received.find((r) => r.body.type === "usage.limit_reached")!;
    expect(limit.body.data).toMatchObject({ feature: "compute", quota: "10", used: "10", overflow: "block", extrasBalance: "0" });
    // Delivered once: a second run sends nothing.
    expect((await runDeliveries(testDb())).attempted).toBe(0);
  });

  it("an endpoint deleted while its deliveries are out loses them, and the batch's other outcomes are still written", async () => {
    const { workspaceId } = await seedWorkspace({ compute: { limit: "10", overflow: "block", period: "week" } });
    const kept = await endpointWithReceiver();
    const doomed = await endpointWithReceiver();
    await recordUsage(testDb(), { workspaceId, feature: "compute", units: 8, idempotencyKey: `k-${uid()}` });
    // The operator deletes one endpoint while its delivery is on the wire.
    const post: Post = async (url) => {
      if (url === doomed.receiver.url) await testDb().webhookEndpoint.delete({ where: { id: doomed.endpoint.id } });
      return { status: 200, text: "" };
    };
    const summary = await runDeliveries(testDb(), { post });
    expect(summary).toMatchObject({ attempted: 2, delivered: 2 });
    const delivery = await testDb().webhookDelivery.findFirstOrThrow({ where: { endpointId: kept.endpoint.id } });
    expect([delivery.status, delivery.attempts, await testDb().webhookAttempt.count({ where: { deliveryId: delivery.id } })]).toEqual(["delivered", 1, 1]);
    expect(await testDb().webhookDelivery.count({ where: { endpointId: doomed.endpoint.id } })).toBe(0);
  });

  it("usage.limit_reached is sent once when the extras carrying a used-up quota run out, by usage or by expiry", async () => {
    const db = testDb();
    // Anchored a day ago: the week's window holds every time this test writes at.
    const spec = { compute: { limit: "10", overflow: "extras" as const, period: "week" as const }, subscription: { periodAnchor: new Date(Date.now() - 86_400_000) } };
    const [carried, straddle, expired, lowered] = [await seedWorkspace(spec), await seedWorkspace(spec), await seedWorkspace(spec), await seedWorkspace(spec)];
    await endpointWithReceiver();
    const record = (workspaceId: string, units: number) => recordUsage(db, { workspaceId, feature: "compute", units, idempotencyKey: `k-${uid()}` });
    const limits = async (workspaceId: string) =>
      (await db.outboxEvent.findMany({ where: { workspaceId, type: "usage.limit_reached" } })).map((e) => e.data as Record<string, unknown>);
    const expiresAt = new Date(Date.now() + 60_000);
    for (const { workspaceId } of [carried, straddle, expired, lowered]) await topupExtras(db, { workspaceId, pack: "compute_500", units: 5, checkoutSessionId: `cs_${uid()}`, expiresAt });

    // The quota is used up while extras remain: the feature goes on, so no limit is reached.
    await record(carried.workspaceId, 10);
    expect(await limits(carried.workspaceId)).toEqual([]);
    // The extras run out: now nothing lets it go on.
    await record(carried.workspaceId, 5);
    expect(await limits(carried.workspaceId)).toEqual([expect.objectContaining({ feature: "compute", quota: "10", used: "10", overflow: "extras", extrasBalance: "0" })]);
    expect(await db.outboxEvent.count({ where: { workspaceId: carried.workspaceId, type: "extras.depleted" } })).toBe(1);

    // The quota and the extras run out in one event: told once.
    await record(straddle.workspaceId, 8);
    await record(straddle.workspaceId, 7);
    expect(await limits(straddle.workspaceId)).toEqual([expect.objectContaining({ used: "10", extrasBalance: "0" })]);

    // The quota is used up, then the extras carrying it expire.
    await record(expired.workspaceId, 10);
    expect(await limits(expired.workspaceId)).toEqual([]);
    await expireLots(db, { workspaceId: expired.workspaceId, now: new Date(expiresAt.getTime() + 60_000) });
    expect(await limits(expired.workspaceId)).toEqual([expect.objectContaining({ used: "10", extrasBalance: "0" })]);

    // A quota lowered under what was used (here by hand, with no mark of its own): the extras carry the
    // feature, and running out stops it all the same.
    await record(lowered.workspaceId, 6);
    await db.usageWindow.updateMany({ where: { workspaceId: lowered.workspaceId, feature: "compute" }, data: { quota: "4" } });
    await record(lowered.workspaceId, 5);
    expect(await limits(lowered.workspaceId)).toEqual([expect.objectContaining({ quota: "4", used: "6", extrasBalance: "0" })]);
  });

  it("usage.limit_reached is not lost when the quota fills while another transaction empties the extras", async () => {
    const db = testDb();
    const { workspaceId } = await seedWorkspace({ compute: { limit: "10", overflow: "extras", period: "week" }, subscription: { periodAnchor: new Date(Date.now() - 86_400_000) } });
    await endpointWithReceiver();
    const expiresAt = new Date(Date.now() + 60_000);
    await topupExtras(db, { workspaceId, pack: "compute_500", units: 5, checkoutSessionId: `cs_${uid()}`, expiresAt });
    await recordUsage(db, { workspaceId, feature: "compute", units: 8, idempotencyKey: `k-${uid()}` });
    const fill = () => recordUsage(db, { workspaceId, feature: "compute", units: 2, idempotencyKey: `k-${uid()}` });
    const expire = (tx: Client) => expireLots(tx, { workspaceId, now: new Date(expiresAt.getTime() + 60_000) });
    if (ON_PGLITE) {
      // One connection at a time: the two cannot overlap here, so this checks the order one after the other.
      await expire(db);
      await fill();
    } else {
      // The extras expire in a transaction held open: its ledger trigger runs while the window is at 8 of 10 and
      // tells nothing. The quota then fills: its 100% mark must wait for that transaction to read the balance it
      // leaves (0), or neither side would tell.
      let release!: () => void;
      const held = new Promise<void>((r) => (release = r));
      let filling: Promise<unknown> | undefined;
      await db.$transaction(
        async (tx) => {
          await expire(tx as unknown as Client);
          const { pid } = (await tx.$queryRaw<{ pid: number }[]>`SELECT pg_backend_pid() AS pid`)[0]!;
          let filled = false;
          filling = fill().finally(() => (filled = true));
          // Until the recording waits for this transaction's lock (or, without the lock, has finished).
          await waitUntil(async () => filled || (await db.$queryRaw<{ n: number }[]>`
            SELECT count(*)::int AS n FROM pg_stat_activity WHERE ${pid}::int = ANY(pg_blocking_pids(pid))`)[0]!.n > 0);
          release();
          await held;
        },
        { timeout: 30_000 },
      );
      await filling;
    }
    const limits = await db.outboxEvent.findMany({ where: { workspaceId, type: "usage.limit_reached" } });
    expect(limits.map((e) => e.data)).toEqual([expect.objectContaining({ quota: "10", used: "10", extrasBalance: "0" })]);
  });

  it("a quota lowered under the count is told as the thresholds crossed, and as a limit reached when nothing carries it", async () => {
    const db = testDb();
    const spec = { compute: { limit: "10", period: "week" as const }, subscription: { periodAnchor: new Date(Date.now() - 86_400_000) } };
    const blocked = await seedWorkspace({ ...spec, compute: { ...spec.compute, overflow: "block" } });
    const carried = await seedWorkspace({ ...spec, compute: { ...spec.compute, overflow: "extras" } });
    await endpointWithReceiver();
    await topupExtras(db, { workspaceId: carried.workspaceId, pack: "compute_500", units: 5, checkoutSessionId: `cs_${uid()}` });
    // One change writes them in one transaction, at one time: sorted, not in the order of their rows.
    const told = async (workspaceId: string) =>
      (await db.outboxEvent.findMany({ where: { workspaceId, type: { in: ["usage.threshold_crossed", "usage.limit_reached"] } } }))
        .map((e) => {
          const d = e.data as Record<string, unknown>;
          return [e.type, d.threshold ?? d.extrasBalance, d.quota, d.used];
        })
        .sort((a, b) => `${a[0]}:${a[1]}`.localeCompare(`${b[0]}:${b[1]}`));
    const moveTo = async (seeded: typeof blocked, limit: string) => {
      const { plan } = await publishPlan(db, { ...seeded.spec, key: `t_${uid()}`, entitlements: seeded.spec.entitlements.map((e) => (e.feature === "compute" ? { ...e, limit } : e)) });
      await db.subscription.update({ where: { workspaceId: seeded.workspaceId }, data: { planId: plan.id } });
      await onPlanChanged(db, { workspaceId: seeded.workspaceId, lowerQuotas: true });
    };
    // 6 of 10 used; the workspace is moved to a plan of 5, applied now (as an unpaid one is moved to Free).
    const lowerTo5 = async (seeded: typeof blocked) => {
      await recordUsage(db, { workspaceId: seeded.workspaceId, feature: "compute", units: 6, idempotencyKey: `k-${uid()}` });
      await moveTo(seeded, "5");
    };
    await lowerTo5(blocked);
    expect(await told(blocked.workspaceId)).toEqual([
      ["usage.limit_reached", "0", "5", "6"],
      ["usage.threshold_crossed", 100, "5", "6"],
      ["usage.threshold_crossed", 80, "5", "6"],
    ]);
    // The member hears of it too: the same notices usage writes, sent by the cron.
    const window = await db.usageWindow.findFirstOrThrow({ where: { workspaceId: blocked.workspaceId, feature: "compute" } });
    expect((await db.notification.findMany({ where: { workspaceId: blocked.workspaceId }, orderBy: { dedupeKey: "asc" } })).map((n) => n.dedupeKey)).toEqual([
      `threshold:${window.id}:100`,
      `threshold:${window.id}:80`,
    ]);
    // Told once per window: raised, then lowered again, the quota tells nothing new.
    await moveTo(blocked, "10");
    await moveTo(blocked, "5");
    expect(await told(blocked.workspaceId)).toHaveLength(3);

    // Extras carry the feature past the lowered quota: the thresholds are crossed, no limit is reached.
    await lowerTo5(carried);
    expect(await told(carried.workspaceId)).toEqual([
      ["usage.threshold_crossed", 100, "5", "6"],
      ["usage.threshold_crossed", 80, "5", "6"],
    ]);
  });

  it("reports subscription, dunning, plan, trial, auto top-up and invoice changes, whichever code path writes them", async () => {
    const { workspaceId } = await seedWorkspace();
    await endpointWithReceiver();
    const db = testDb();
    const sub = await db.subscription.findUniqueOrThrow({ where: { workspaceId } });
    for (const status of ["past_due", "degraded", "unpaid", "active"] as const) await db.subscription.update({ where: { workspaceId }, data: { status } });
    await db.subscription.update({ where: { workspaceId }, data: { stripeSubscriptionId: `sub_${uid()}` } });
    const free = await db.plan.findFirstOrThrow({ where: { key: "free" }, orderBy: { version: "desc" } });
    await db.subscription.update({ where: { workspaceId }, data: { planId: free.id } });
    await db.notification.create({ data: { workspaceId, kind: "trial_will_end", subject: "s", body: "b", dedupeKey: `t-${uid()}` } });
    const attempt = await db.autoTopUpAttempt.create({ data: { workspaceId, slot: `2026-12#${uid()}`, packId: "p" } });
    await db.autoTopUpAttempt.update({ where: { id: attempt.id }, data: { status: "failed", error: "card_declined" } });
    const invoice = { workspaceId, currency: "usd", amountDueCents: 999, amountPaidCents: 0, createdAt: new Date() };
    await db.invoice.create({ data: { ...invoice, stripeInvoiceId: `in_${uid()}`, status: "open", paymentIssue: "declined", paymentError: "Your card was declined." } });
    const paid = await db.invoice.create({ data: { ...invoice, stripeInvoiceId: `in_${uid()}`, status: "open" } });
    await db.invoice.update({ where: { id: paid.id }, data: { status: "paid", amountPaidCents: 999 } });
    await db.invoice.update({ where: { id: paid.id }, data: { hostedUrl: "https://example.test/i" } });
    const events = await db.outboxEvent.findMany({ where: { workspaceId }, orderBy: { createdAt: "asc" } });
    expect(events.map((e) => e.type).sort()).toEqual([
      "auto_top_up.failed", "billing.degraded", "billing.past_due", "billing.recovered", "billing.unpaid", "invoice.paid", "invoice.payment_failed",
      "subscription.created", "subscription.plan_changed", "subscription.trial_will_end",
    ]);
    const byType = Object.fromEntries(events.map((e) => [e.type, e.data as Record<string, unknown>]));
    expect(byType["billing.recovered"]).toMatchObject({ subscriptionId: sub.id, status: "active", previousStatus: "unpaid" });
    expect(byType["subscription.plan_changed"]).toMatchObject({ to: { key: "free" } });
    expect(byType["invoice.payment_failed"]).toMatchObject({ paymentError: "Your card was declined.", amountDueCents: 999 });
    expect(byType["auto_top_up.failed"]).toMatchObject({ error: "card_declined" });
    expect((await runDeliveries(db)).delivered).toBe(10);
  });

  it("a subscription that ends in dunning is canceled, never recovered", async () => {
    const db = testDb();
    const free = await db.plan.findFirstOrThrow({ where: { key: "free" }, orderBy: { version: "desc" } });
    const typesOf = async (workspaceId: string) => (await db.outboxEvent.findMany({ where: { workspaceId }, orderBy: { createdAt: "asc" } })).map((e) => [e.type, e.data]);
    const paid = await seedWorkspace();
    const unpaid = await seedWorkspace();
    await endpointWithReceiver();
    // Past due on a paid plan, then Stripe ends the subscription: moved to Free, one cancellation.
    await db.subscription.update({ where: { workspaceId: paid.workspaceId }, data: { status: "past_due" } });
    await db.subscription.update({ where: { workspaceId: paid.workspaceId }, data: { status: "free", planId: free.id } });
    expect((await typesOf(paid.workspaceId)).map(([t]) => t)).toEqual(["billing.past_due", "subscription.canceled"]);
    // Unpaid is already on Free: its subscription ending changes no plan, and is still one cancellation.
    await db.subscription.update({ where: { workspaceId: unpaid.workspaceId }, data: { status: "unpaid", planId: free.id } });
    await db.subscription.update({ where: { workspaceId: unpaid.workspaceId }, data: { status: "free" } });
    const events = await typesOf(unpaid.workspaceId);
    expect(events.map(([t]) => t).sort()).toEqual(["billing.unpaid", "subscription.canceled", "subscription.plan_changed"]);
    expect(events.find(([t]) => t === "subscription.canceled")![1]).toMatchObject({ from: { key: "free" }, to: { key: "free" }, fromStatus: "unpaid", toStatus: "free", reason: "canceled" });
  });

  it("an operator's cancellation or end of a card-less trial is told as one, with the operator's reason", async () => {
    const db = testDb();
    const free = await db.plan.findFirstOrThrow({ where: { key: "free" }, orderBy: { version: "desc" } });
    const [paid, trial, carded, moved] = [await seedWorkspace(), await seedWorkspace(), await seedWorkspace(), await seedWorkspace()];
    await db.subscription.update({ where: { workspaceId: trial.workspaceId }, data: { status: "trialing" } });
    await db.subscription.update({ where: { workspaceId: carded.workspaceId }, data: { status: "trialing", stripeSubscriptionId: `sub_${uid()}` } });
    await endpointWithReceiver();
    const byOperator = (workspaceId: string, data: { status?: "free"; planId: string }) =>
      db.$transaction(async (tx) => {
        await asOperator(tx, op, "operator");
        await tx.subscription.update({ where: { workspaceId }, data });
      });
    await byOperator(paid.workspaceId, { status: "free", planId: free.id });
    await byOperator(trial.workspaceId, { status: "free", planId: free.id });
    await byOperator(carded.workspaceId, { status: "free", planId: free.id });
    await byOperator(moved.workspaceId, { planId: free.id });
    const planEvents = async (workspaceId: string) =>
      (await db.outboxEvent.findMany({ where: { workspaceId, type: { not: "subscription.created" } } })).map((e) => [e.type, (e.data as { reason: string }).reason]);
    expect(await planEvents(paid.workspaceId)).toEqual([["subscription.canceled", "operator"]]);
    expect(await planEvents(trial.workspaceId)).toEqual([["subscription.trial_ended", "operator"]]);
    // A trial with a card is a Stripe subscription: ending it is a cancellation, as when Stripe ends it.
    expect(await planEvents(carded.workspaceId)).toEqual([["subscription.canceled", "operator"]]);
    expect(await planEvents(moved.workspaceId)).toEqual([["subscription.plan_changed", "operator"]]);
  });

  it("the cron route sends what is due, behind the cron secret", async () => {
    const { workspaceId } = await seedWorkspace();
    const { receiver } = await endpointWithReceiver({ eventTypes: ["extras.credited"] });
    await topupExtras(testDb(), { workspaceId, pack: "compute_500", units: 7, checkoutSessionId: `cs_${uid()}` });
    const call = (auth?: string) => webhooksCron(new Request("http://app.local/api/cron/webhooks", { headers: auth ? { authorization: auth } : {} }));
    expect((await call()).status).toBe(401);
    expect((await call("Bearer wrong-token-0123456789abcdef")).status).toBe(401);
    expect(receiver.received).toHaveLength(0);
    const res = await call(`Bearer ${process.env.CRON_SECRET}`);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ route: "webhooks", skipped: false, delivered: 1, failed: 0 });
    expect(receiver.received.map((r) => r.body.data.units)).toEqual(["7"]);

    // Pruned after 30 days once delivered; a delivery still failing keeps its event.
    receiver.state.status = 500;
    await topupExtras(testDb(), { workspaceId, pack: "compute_500", units: 8, checkoutSessionId: `cs_${uid()}` });
    await runDeliveries(testDb());
    // (the prune cron passes 30 days ago)
    expect(await pruneWebhookEvents(testDb(), new Date(Date.now() + 86_400_000), Date.now() + 60_000)).toBe(1);
    expect((await testDb().outboxEvent.findMany({ where: { workspaceId } })).map((e) => (e.data as { units: string }).units)).toEqual(["8"]);
  });

  it("prunes in batches that do not read again the old events it keeps", async () => {
    const { endpoint } = await endpointWithReceiver({ eventTypes: ["extras.credited"] });
    const ws = `ws-prune-${uid()}`;
    // Events of the year 2000: the oldest 1,500 gave up (kept), the 2,500 after them were delivered.
    await testDb().$executeRaw`
      INSERT INTO "OutboxEvent" (id, type, "workspaceId", data, "createdAt")
      SELECT ${ws} || '-' || g, 'extras.credited', ${ws}, '{}', timestamp '2000-01-01' + g * interval '1 minute' FROM generate_series(1, 4000) g`;
    await testDb().$executeRaw`
      INSERT INTO "WebhookDelivery" (id, "eventId", "endpointId", status, attempts)
      SELECT 'whd-' || ${ws} || '-' || g, ${ws} || '-' || g, ${endpoint.id}, CASE WHEN g <= 1500 THEN 'failed' ELSE 'delivered' END, 1
      FROM generate_series(1, 4000) g`;
    const ranges: unknown[] = [];
    const watched = testDb().$extends({
      query: { outboxEvent: { findMany({ args, query }) {
        ranges.push(args.where?.createdAt);
        return query(args);
      } } },
    }) as unknown as Client;
    expect(await pruneWebhookEvents(watched, new Date(Date.UTC(2001, 0, 1)), Date.now() + 60_000)).toBe(2500);
    expect(await testDb().outboxEvent.count({ where: { workspaceId: ws } })).toBe(1500);
    // Three batches of up to 1,000, then one that finds none: after the first, none reads the kept events.
    expect(ranges).toHaveLength(4);
    for (const createdAt of ranges.slice(1)) {
      expect(await testDb().outboxEvent.count({ where: { workspaceId: ws, createdAt: createdAt as { lt: Date }, deliveries: { some: { status: "failed" } } } })).toBe(0);
    }
  });

  it("delivers 10,000 events from two concurrent senders, none lost, none altered, none sent twice", async () => {
    const { workspaceId } = await seedWorkspace();
    const { receiver } = await endpointWithReceiver();
    await testDb().$executeRaw`
      SELECT tally_webhook_emit(${workspaceId}, 'extras.credited', jsonb_build_object('n', i, 'units', (i * 1.5)::text, 'memo', 'é ✓ "quoted" \\ ' || i))
      FROM generate_series(1, 10000) i`;
    const started = Date.now();
    const [a, b] = await Promise.all([runDeliveries(testDb(), { concurrency: 16 }), runDeliveries(testDb(), { concurrency: 16 })]);
    const seconds = (Date.now() - started) / 1000;
    console.log(`webhooks: 10000 events delivered in ${seconds.toFixed(1)} s (${Math.round(10000 / seconds)}/s), split ${a.delivered}/${b.delivered}`);
    expect(a.delivered + b.delivered).toBe(10_000);
    expect(receiver.state.rejected).toBe(0);
    const events = await testDb().$queryRaw<{ eventId: string; type: string; workspaceId: string; workspaceExternalId: string | null; data: string; createdAt: string }[]>`
      SELECT id AS "eventId", type, "workspaceId", "workspaceExternalId", data::text AS data, to_char("createdAt", 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS "createdAt"
      FROM "OutboxEvent" WHERE "workspaceId" = ${workspaceId}`;
    expect(events).toHaveLength(10_000);
    const byId = new Map(receiver.received.map((r) => [r.id, r.raw]));
    expect(byId.size).toBe(10_000);
    expect(receiver.received).toHaveLength(10_000);
    for (const e of events) expect(byId.get(e.eventId)).toBe(eventBody(e));
    const ns = new Set(receiver.received.map((r) => r.body.data.n));
    expect(ns.size).toBe(10_000);
    expect(await testDb().webhookDelivery.count({ where: { status: { not: "delivered" } } })).toBe(0);
  }, 300_000);

  it("retries a failing endpoint with backoff for 3 days, then disables it and tells operators", async () => {
    const { receiver, endpoint } = await endpointWithReceiver({ status: 500, eventTypes: ["extras.credited"], verifyTimestamp: false });
    const { workspaceId } = await seedWorkspace();
    await topupExtras(testDb(), { workspaceId, pack: "compute_500", units: 10, checkoutSessionId: `cs_${uid()}` });
    const delivery = await testDb().webhookDelivery.findFirstOrThrow({ where: { endpointId: endpoint.id } });
    let clock = delivery.nextAttemptAt!.getTime();
    const now = () => new Date(clock);
    // Not due before its time: nothing is sent between attempts.
    const gaps: number[] = [];
    for (let i = 0; i < 40 && (await testDb().webhookEndpoint.findUniqueOrThrow({ where: { id: endpoint.id } })).enabled; i++) {
      const s = await runDeliveries(testDb(), { now });
      expect(s.attempted).toBe(1);
      const d = await testDb().webhookDelivery.findUniqueOrThrow({ where: { id: delivery.id } });
      if (!d.nextAttemptAt) break;
      gaps.push(d.nextAttemptAt.getTime() - clock);
      clock = d.nextAttemptAt.getTime() - 1;
      expect((await runDeliveries(testDb(), { now })).attempted).toBe(0);
      clock += 1;
    }
    expect(gaps.slice(0, BACKOFF_MS.length)).toEqual([...BACKOFF_MS]);
    const d = await testDb().webhookDelivery.findUniqueOrThrow({ where: { id: delivery.id }, include: { attemptLog: true } });
    expect(d.status).toBe("failed");
    expect(d.attemptLog.length).toBe(receiver.state.hits);
    expect(d.attemptLog.every((a) => a.responseCode === 500 && a.error?.startsWith("HTTP 500"))).toBe(true);
    expect(clock - delivery.nextAttemptAt!.getTime()).toBeGreaterThanOrEqual(GIVE_UP_MS);
    const ep = await testDb().webhookEndpoint.findUniqueOrThrow({ where: { id: endpoint.id } });
    expect([ep.enabled, ep.disabledReason]).toEqual([false, expect.stringContaining("Deliveries failed for 3 days")]);
    const alert = await testDb().operatorAlert.findFirst({ where: { kind: "webhook_endpoint_disabled", subjectId: endpoint.id } });
    expect(alert?.message).toContain(receiver.url);
    expect((await consoleOverview(testDb())).failingWebhookDeliveries).toBeGreaterThanOrEqual(1);
    expect(await failingDeliveries(testDb())).toBeGreaterThanOrEqual(1);
    // A disabled endpoint is not sent new events; enabled again (receiver fixed), a resend of the delivery that gave
    // up carries the same webhook-id.
    await topupExtras(testDb(), { workspaceId, pack: "compute_500", units: 10, checkoutSessionId: `cs_${uid()}` });
    expect(await testDb().webhookDelivery.count({ where: { endpointId: endpoint.id } })).toBe(1);
    receiver.state.status = 200;
    await setEndpointEnabled(testDb(), op, endpoint.id, true);
    await resendDelivery(testDb(), op, delivery.id);
    expect((await runDeliveries(testDb())).delivered).toBe(1);
    expect(receiver.received.map((r) => r.id)).toEqual([delivery.eventId]);
    const log = await endpointDeliveries(testDb(), endpoint.id);
    expect(log?.deliveries[0]?.status).toBe("delivered");
    const audit = await testDb().auditLog.findMany({ where: { subjectId: { in: [endpoint.id, delivery.id] } }, orderBy: { seq: "asc" } });
    expect(audit.map((a) => a.action)).toEqual(["webhook_endpoint.created", "webhook_endpoint.disabled", "webhook_endpoint.enabled", "webhook_delivery.resent"]);
  }, 120_000);

  describe("a disabled endpoint's pending deliveries", () => {
    async function endpointWithTwoPending() {
      const { receiver, endpoint } = await endpointWithReceiver({ eventTypes: ["extras.credited"] });
      const { workspaceId } = await seedWorkspace();
      for (const units of [1, 2]) await topupExtras(testDb(), { workspaceId, pack: "compute_500", units, checkoutSessionId: `cs_${uid()}` });
      const schedule = async () => (await testDb().webhookDelivery.findMany({ where: { endpointId: endpoint.id, status: "pending" } })).map((d) => d.nextAttemptAt);
      expect(await schedule()).toEqual([expect.any(Date), expect.any(Date)]);
      return { receiver, endpoint, schedule };
    }

    it("wait with no next attempt, whoever disables it, and are due again once it is enabled", async () => {
      const { receiver, endpoint, schedule } = await endpointWithTwoPending();
      const apiKey = { kind: "api" as const, id: "pk_webhooks_test", email: null };
      // An operator in the console, then a platform key through the API.
      await setEndpointEnabled(testDb(), op, endpoint.id, false);
      expect(await schedule()).toEqual([null, null]);
      expect((await runDeliveries(testDb())).attempted).toBe(0);
      const enabledAt = new Date();
      await updateEndpoint(testDb(), apiKey, endpoint.id, { enabled: true }, enabledAt);
      expect(await schedule()).toEqual([enabledAt, enabledAt]);
      await updateEndpoint(testDb(), apiKey, endpoint.id, { enabled: false });
      expect(await schedule()).toEqual([null, null]);
      expect((await runDeliveries(testDb())).attempted).toBe(0);
      // Enabled again: both are due now, and go out.
      await setEndpointEnabled(testDb(), op, endpoint.id, true);
      expect((await runDeliveries(testDb())).delivered).toBe(2);
      expect(receiver.received.map((r) => r.body.data.units).sort()).toEqual(["1", "2"]);
    });

    it("are not resent while it is disabled, and a resend locks the endpoint before it reads whether it is enabled", async () => {
      const { endpoint, schedule } = await endpointWithTwoPending();
      const [delivery] = await testDb().webhookDelivery.findMany({ where: { endpointId: endpoint.id } });
      await setEndpointEnabled(testDb(), op, endpoint.id, false);
      await expect(resendDelivery(testDb(), op, delivery!.id)).rejects.toMatchObject({ code: "invalid_request" });
      expect(await schedule()).toEqual([null, null]);
      // Enabled, the resend goes through. It read the endpoint under a lock, so a disable committing while it ran
      // would have been waited for and then seen, not left a retry scheduled behind it.
      await setEndpointEnabled(testDb(), op, endpoint.id, true);
      recorder.statements.length = 0;
      await resendDelivery(recorder.db, op, delivery!.id);
      const texts = recorder.statements.map((st) => st.text);
      const read = texts.findIndex((t) => t.includes('"WebhookEndpoint"'));
      expect(texts[read]).toMatch(/FOR SHARE OF e/);
      expect(read).toBeLessThan(texts.findIndex((t) => /^\s*UPDATE\s+"public"\."WebhookDelivery"/i.test(t)));
      await expect(resendDelivery(testDb(), op, "whd_missing")).rejects.toMatchObject({ code: "not_found" });
    });

    it("are counted in the console's list, which the API's list does not ask for", async () => {
      const { endpoint } = await endpointWithTwoPending();
      expect((await listEndpointsWithCounts(testDb())).find((e) => e.id === endpoint.id)).toMatchObject({ pending: 2, delivered: 0, failed: 0 });
      expect(await tableReads(recorder, "WebhookDelivery", (db) => listEndpoints(db))).toEqual([]);
    });

    it("wait with no next attempt when the sender disables it after 3 days of failures, or it is disabled while one is sent", async () => {
      const { endpoint, schedule } = await endpointWithTwoPending();
      await disableFailingEndpoint(testDb(), endpoint.id, new Date());
      expect(await schedule()).toEqual([null, null]);
      await setEndpointEnabled(testDb(), op, endpoint.id, true);
      // Disabled while the sender waits for the receiver's answer: the failed attempts schedule no retry.
      const post: Post = async () => {
        await setEndpointEnabled(testDb(), op, endpoint.id, false);
        return { status: 500, text: "" };
      };
      expect(await runDeliveries(testDb(), { post })).toMatchObject({ attempted: 2, failed: 2 });
      expect(await schedule()).toEqual([null, null]);
    });
  });
});

async function waitUntil(done: () => Promise<boolean>, timeoutMs = 10_000) {
  for (const end = Date.now() + timeoutMs; !(await done()); ) {
    if (Date.now() > end) throw new Error("timed out waiting for the condition");
    await new Promise((r) => setTimeout(r, 20));
  }
}
