// Item: two concurrent runs of each cron route, one on each instance, do the work once: checked in the
// database (ledger entries, subscription states, event attempts, notification sends, deleted rows).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { inject } from "vitest";
import { checkInvariants, topupExtras } from "@/lib/billing";
import { startTrial } from "@/lib/payments";
import { createStripeClient, setStripeClient } from "@/lib/stripe";
import { registerUser } from "@/lib/auth/users";
import { chaosDb, closeDb, createClient, instanceA, instanceB, PASSWORD, seedWorkspace, uid } from "./helpers";

const a = createClient(instanceA(), 4);
const b = createClient(instanceB(), 4);
beforeAll(() => setStripeClient(createStripeClient({ secretKey: "sk_test_emulator", apiBase: inject("chaosStripeUrl") })));
afterAll(async () => {
  setStripeClient(undefined);
  a.close();
  b.close();
  await closeDb();
});

const DAY = 86_400_000;
const auth = () => ({ authorization: `Bearer ${process.env.CRON_SECRET}` });

/** Both instances run the route at the same moment; both answer 200 with a JSON summary. */
async function race(route: string) {
  const [x, y] = await Promise.all([a.request(`/api/cron/${route}`, { headers: auth() }), b.request(`/api/cron/${route}`, { headers: auth() })]);
  expect([x.status, y.status], `${route}: ${x.text} ${y.text}`).toEqual([200, 200]);
  const bodies = [x.json, y.json] as { route: string; skipped: boolean; [k: string]: unknown }[];
  for (const body of bodies) expect(body.route).toBe(route);
  expect(bodies.some((s) => !s.skipped)).toBe(true);
  return bodies.filter((s) => !s.skipped);
}

describe("cron routes raced across two instances", () => {
  it("expire-extras: one expiration entry per expired lot", async () => {
    const db = chaosDb();
    const ws = await seedWorkspace(db);
    for (let i = 0; i < 3; i++) await topupExtras(db, { workspaceId: ws.workspaceId, pack: "compute_500", paymentIntentId: `pi_chaos_${uid()}`, expiresAt: new Date(Date.now() - DAY) });
    await race("expire-extras");
    expect(await db.ledgerEntry.count({ where: { workspaceId: ws.workspaceId, kind: "expiration" } })).toBe(3);
    expect((await db.extrasAccount.findUniqueOrThrow({ where: { workspaceId: ws.workspaceId } })).balance.toString()).toBe("0");
    expect(await checkInvariants(db, { workspaceId: ws.workspaceId })).toEqual([]);
  });

  it("trials and dunning: each state change happens once", async () => {
    const db = chaosDb();
    // A Free workspace, as sign-up leaves it: the only kind that may start a trial.
    const owner = await registerUser(db, { email: `trial-${uid()}@example.test`, password: PASSWORD, workspace: `Trial ${uid()}`, emailVerified: new Date() });
    const trial = { workspaceId: owner.workspace.id, userId: owner.user.id };
    await startTrial(db, { workspaceId: trial.workspaceId, planKey: "pro", userId: trial.userId, now: new Date(Date.now() - 8 * DAY) });
    const late = await seedWorkspace(db);
    await db.subscription.update({ where: { workspaceId: late.workspaceId }, data: { status: "past_due", pastDueSince: new Date(Date.now() - 8 * DAY) } });
    await race("trials");
    await race("dunning");
    const sub = (id: string) => db.subscription.findUniqueOrThrow({ where: { workspaceId: id }, include: { plan: true } });
    expect([(await sub(trial.workspaceId)).status, (await sub(trial.workspaceId)).plan.key]).toEqual(["free", "free"]);
    expect((await sub(late.workspaceId)).status).toBe("degraded");
  });

  it("reconcile: a failed webhook event is retried once (one more attempt, not two)", async () => {
    const db = chaosDb();
    const id = `evt_chaos_${uid()}${uid()}`;
    const payload = { id, object: "event", type: "customer.tax_id.created", api_version: "2026-10-28.endive", created: Math.floor(Date.now() / 1000), livemode: false, pending_webhooks: 1, request: { id: null, idempotency_key: null }, data: { object: { id: "txi_chaos", object: "tax_id" } } };
    await db.stripeEvent.create({ data: { id, type: payload.type, status: "failed", attempts: 1, lastError: "database unavailable", payload } });
    await race("reconcile");
    expect(await db.stripeEvent.findUniqueOrThrow({ where: { id } })).toMatchObject({ status: "processed", attempts: 2, lastError: null });
  });

  it("reset-windows: a pending notification is sent once", async () => {
    const db = chaosDb();
    const ws = await seedWorkspace(db);
    const n = await db.notification.create({ data: { workspaceId: ws.workspaceId, kind: "threshold", subject: "chaos", body: "80% used", dedupeKey: `chaos:${uid()}` } });
    await race("reset-windows");
    expect(await db.notification.findUniqueOrThrow({ where: { id: n.id } })).toMatchObject({ status: "sent", attempts: 1 });
  });

  it("prune: old webhook records are deleted once, recent ones kept", async () => {
    const db = chaosDb();
    const tag = uid();
    const old = Array.from({ length: 5 }, (_, i) => ({ id: `evt_old_${tag}_${i}`, type: "invoice.created", status: "processed" as const, payload: {}, receivedAt: new Date(Date.now() - 31 * DAY) }));
    await db.stripeEvent.createMany({ data: [...old, { id: `evt_new_${tag}`, type: "invoice.created", status: "processed", payload: {}, receivedAt: new Date() }] });
    const runs = await race("prune");
    expect(await db.stripeEvent.count({ where: { id: { startsWith: `evt_old_${tag}` } } })).toBe(0);
    expect(await db.stripeEvent.count({ where: { id: `evt_new_${tag}` } })).toBe(1);
    // Between them the runs that worked deleted each old record once (other tests leave none this old).
    expect(runs.reduce((n, r) => n + Number(r.prunedEvents), 0)).toBe(5);
  });
});
