import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { db } from "@/lib/db";
import { operatorAdjustExtras, operatorRefund } from "@/lib/admin/actions";
import { openAlerts, resolveAlert } from "@/lib/admin/alerts";
import { listAudit, recordAudit } from "@/lib/admin/audit";
import { operatorOf, setOperator } from "@/lib/admin/operators";
import { consoleOverview } from "@/lib/admin/overview";
import { listStripeEvents, parseEventCursor, replayStripeEvent } from "@/lib/admin/stripe-events";
import { searchWorkspaces, workspaceDetail } from "@/lib/admin/workspaces";
import { adjustExtras } from "@/lib/billing";
import { changeMember } from "@/lib/workspaces/members";
import { processStripeEvent, startPackCheckout } from "@/lib/payments";
import { deliver, eventsOf, newWorkspace, pay, requestKey, startPayments, type PaymentsEnv } from "../payments/helpers";

let env: PaymentsEnv;
beforeAll(async () => {
  env = await startPayments();
});
afterAll(async () => {
  await env?.stop();
});

/** A workspace that paid for one 500-unit pack ($20) through checkout, credited by the webhook. */
async function boughtPack(_env: PaymentsEnv, label: string) {
  const ws = await newWorkspace(label);
  const { url, sessionId } = await startPackCheckout(db(), { workspaceId: ws.workspaceId, slug: ws.slug, pack: "compute_500", requestKey: requestKey() });
  await pay(url);
  const completed = (await eventsOf(env.stripe, "checkout.session.completed")).filter((e) => (e.data.object as { id: string }).id === sessionId);
  for (const e of completed) expect((await deliver(e)).status).toBe(200);
  return ws;
}

const balanceOf = async (workspaceId: string) => (await db().extrasAccount.findUnique({ where: { workspaceId } }))?.balance.toFixed() ?? "0";

describe("who is an operator", () => {
  it("a granted user, or one listed by a verified email; nobody else", async () => {
    const granted = await newWorkspace("op-granted");
    const listed = await newWorkspace("op-listed");
    const other = await newWorkspace("op-other");
    await setOperator(db(), granted.email, true);
    expect(await operatorOf(db(), granted.userId, [])).toEqual({ id: granted.userId, email: granted.email });
    expect(await operatorOf(db(), listed.userId, [listed.email.toUpperCase().toLowerCase()])).toMatchObject({ id: listed.userId });
    expect(await operatorOf(db(), other.userId, [listed.email])).toBeNull();
    // A listed address counts only once verified: anyone can sign up with an address that has no account yet.
    const squatter = await db().user.create({ data: { email: "ops-not-yet-here@example.test" } });
    expect(await operatorOf(db(), squatter.id, [squatter.email])).toBeNull();
    await db().user.update({ where: { id: squatter.id }, data: { emailVerified: new Date() } });
    expect(await operatorOf(db(), squatter.id, [squatter.email])).toMatchObject({ id: squatter.id });
    await setOperator(db(), granted.email, false);
    expect(await operatorOf(db(), granted.userId, [])).toBeNull();
    await expect(setOperator(db(), "nobody-here@example.test", true)).rejects.toMatchObject({ code: "not_found" });
  });
});

describe("an operator's adjustment", () => {
  it("moves the ledger and writes the audit entry together, once per request id", async () => {
    const op = await newWorkspace("op-adjuster");
    const ws = await newWorkspace("op-adjusted");
    const id = requestKey();
    const actor = { id: op.userId, email: op.email };
    const first = await operatorAdjustExtras(db(), actor, { workspaceId: ws.workspaceId, units: "250", memo: "outage credit", requestId: id });
    const again = await operatorAdjustExtras(db(), actor, { workspaceId: ws.workspaceId, units: "250", memo: "outage credit", requestId: id });
    expect(first.created).toBe(true);
    expect(again.created).toBe(false);
    expect(await balanceOf(ws.workspaceId)).toBe("250");
    const { entries } = await listAudit(db(), { workspaceId: ws.workspaceId });
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({ actorKind: "operator", actorId: op.userId, actorEmail: op.email, action: "extras.adjusted", memo: "outage credit" });
    expect(entries[0]!.before).toEqual({ balance: "0" });
    expect(entries[0]!.after).toMatchObject({ balance: "250", units: "250" });

    // A debit beyond what the lots hold is refused, and nothing of it is written: no ledger entry, no audit entry.
    await expect(operatorAdjustExtras(db(), actor, { workspaceId: ws.workspaceId, units: "-1000", memo: "too much", requestId: requestKey() })).rejects.toMatchObject({ code: "invalid_request" });
    expect(await balanceOf(ws.workspaceId)).toBe("250");
    expect((await listAudit(db(), { workspaceId: ws.workspaceId })).entries).toHaveLength(1);

    // Adjustments at the same moment: each entry's before and after differ by its own units alone. (On PostgreSQL
    // they overlap; the embedded PGlite runs one transaction at a time, where this holds either way.)
    await Promise.all(["100", "50", "-30", "7"].map((units) => operatorAdjustExtras(db(), actor, { workspaceId: ws.workspaceId, units, memo: "together", requestId: requestKey() })));
    const together = (await listAudit(db(), { workspaceId: ws.workspaceId, action: "extras.adjusted" })).entries.slice(0, 4);
    for (const e of together) {
      const { balance: before } = e.before as { balance: string };
      const { balance: after, units } = e.after as { balance: string; units: string };
      expect(Number(after) - Number(before), JSON.stringify([e.before, e.after])).toBe(Number(units));
    }
    expect(await balanceOf(ws.workspaceId)).toBe("377");
  });
});

describe("an operator's refund", () => {
  it("refunds through Stripe, claws the units back, and is logged once even when submitted twice", async () => {
    const op = await newWorkspace("op-refunder");
    const ws = await boughtPack(env, "op-refund");
    const lot = await db().extrasLot.findFirstOrThrow({ where: { workspaceId: ws.workspaceId, source: "topup" } });
    const actor = { id: op.userId, email: op.email };
    const refundRequestId = requestKey();
    const r1 = await operatorRefund(db(), actor, { workspaceId: ws.workspaceId, lotId: lot.id, amountCents: 500, refundRequestId });
    const r2 = await operatorRefund(db(), actor, { workspaceId: ws.workspaceId, lotId: lot.id, amountCents: 500, refundRequestId });
    expect(r2.refundId).toBe(r1.refundId);
    expect(await balanceOf(ws.workspaceId)).toBe("375");
    const { entries } = await listAudit(db(), { workspaceId: ws.workspaceId, action: "extras.refunded" });
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({ actorEmail: op.email, subjectId: r1.refundId });
    expect(entries[0]!.after).toMatchObject({ refundCents: 500, clawedUnits: "125" });

    // Two submits of one request at the same moment: one refund, one entry.
    const again = requestKey();
    const [c1, c2] = await Promise.all([0, 1].map(() => operatorRefund(db(), actor, { workspaceId: ws.workspaceId, lotId: lot.id, amountCents: 400, refundRequestId: again })));
    expect(c2!.refundId).toBe(c1!.refundId);
    expect((await listAudit(db(), { workspaceId: ws.workspaceId, action: "extras.refunded" })).entries.map((e) => e.subjectId)).toEqual([c1!.refundId, r1.refundId]);
  });

  it("another workspace's purchase is not found", async () => {
    const a = await newWorkspace("op-a");
    const b = await boughtPack(env, "op-b");
    const lot = await db().extrasLot.findFirstOrThrow({ where: { workspaceId: b.workspaceId, source: "topup" } });
    await expect(operatorRefund(db(), { id: a.userId, email: a.email }, { workspaceId: a.workspaceId, lotId: lot.id, amountCents: null, refundRequestId: requestKey() })).rejects.toMatchObject({ code: "not_found" });
  });
});

describe("console reads", () => {
  it("finds a workspace by owner email, slug, id and the integrator's externalId, and pages with a cursor", async () => {
    const ws = await newWorkspace("op-search");
    const externalId = `org_${crypto.randomUUID()}`;
    await db().workspace.update({ where: { id: ws.workspaceId }, data: { externalId } });
    for (const q of [ws.email, ws.slug, ws.workspaceId, externalId]) {
      const { rows } = await searchWorkspaces(db(), { q });
      expect(rows.map((r) => r.id), q).toContain(ws.workspaceId);
    }
    const first = await searchWorkspaces(db(), { limit: 2 });
    expect(first.rows).toHaveLength(2);
    const second = await searchWorkspaces(db(), { limit: 2, after: first.next! });
    expect(second.rows.map((r) => r.id).some((id) => first.rows.some((f) => f.id === id))).toBe(false);
    expect(second.rows[0]!.id < first.rows[1]!.id).toBe(true);
  });

  it("the overview counts a paid pack among extras sold", async () => {
    const before = await consoleOverview(db());
    await boughtPack(env, "op-overview");
    const after = await consoleOverview(db());
    expect(Number(after.extras.soldUnits) - Number(before.extras.soldUnits)).toBeGreaterThanOrEqual(500);
    expect(after.plans.length).toBeGreaterThan(0);
  });

  it("the overview says what was refunded of the extras sold", async () => {
    const b = await boughtPack(env, "op-overview-refund");
    const lot = await db().extrasLot.findFirstOrThrow({ where: { workspaceId: b.workspaceId, source: "topup" } });
    const before = await consoleOverview(db());
    await operatorRefund(db(), { id: b.userId, email: b.email }, { workspaceId: b.workspaceId, lotId: lot.id, amountCents: 500, refundRequestId: requestKey() });
    const after = await consoleOverview(db());
    expect(after.extras.refundedCents - before.extras.refundedCents).toBeGreaterThanOrEqual(500);
  });

  it("a workspace's detail lists every purchase that can still be refunded, however many lots came after it", async () => {
    const b = await boughtPack(env, "op-old-purchase");
    const purchase = await db().extrasLot.findFirstOrThrow({ where: { workspaceId: b.workspaceId, source: "topup" } });
    for (let i = 0; i < 55; i++) await adjustExtras(db(), { workspaceId: b.workspaceId, units: "1", idempotencyKey: `adj-${i}-${requestKey()}`, memo: "goodwill" });
    const detail = await workspaceDetail(db(), b.workspaceId);
    expect(detail!.lots.map((l) => l.id)).toContain(purchase.id);
    expect(detail!.lots).toHaveLength(51);
  });
});

describe("Stripe events in the console", () => {
  it("an event never applied is replayed; a processed one is never applied twice; both are logged", async () => {
    const op = await newWorkspace("op-replay");
    const actor = { id: op.userId, email: op.email };
    const ws = await newWorkspace("op-replay-ws");
    const { url, sessionId } = await startPackCheckout(db(), { workspaceId: ws.workspaceId, slug: ws.slug, pack: "compute_500", requestKey: requestKey() });
    await pay(url);
    const event = (await eventsOf(env.stripe, "checkout.session.completed")).find((e) => (e.data.object as { id: string }).id === sessionId)!;
    // Stored but never applied (the instance died while applying it): nothing credited yet. Not "failed", which
    // the reconcile cron run by other test files on this database would retry first.
    await db().stripeEvent.create({ data: { id: event.id, type: event.type, status: "received", attempts: 1, lastError: "connection lost", payload: JSON.parse(JSON.stringify(event)) } });
    expect(await balanceOf(ws.workspaceId)).toBe("0");

    expect((await replayStripeEvent(db(), actor, event.id)).outcome).toBe("processed");
    expect(await balanceOf(ws.workspaceId)).toBe("500");
    expect((await replayStripeEvent(db(), actor, event.id)).outcome).toBe("duplicate");
    expect(await balanceOf(ws.workspaceId)).toBe("500");
    const logged = await db().auditLog.findMany({ where: { action: "stripe_event.replayed", subjectId: event.id }, orderBy: { seq: "asc" } });
    expect(logged.map((l) => (l.after as { outcome: string }).outcome)).toEqual(["processed", "duplicate"]);
    expect(logged[0]).toMatchObject({ actorEmail: op.email, before: { status: "received", attempts: 1, lastError: "connection lost" } });
    await expect(replayStripeEvent(db(), actor, "evt_nothing_here")).rejects.toMatchObject({ code: "not_found" });
  });

  it("lists events by status and type, newest first, paged by a cursor", async () => {
    const ids = [`evt_list_a_${requestKey()}`, `evt_list_b_${requestKey()}`];
    for (const [i, id] of ids.entries()) {
      // Processed, not failed: the reconcile cron (run by other tests on this database) retries every failed event.
      await db().stripeEvent.create({ data: { id, type: "invoice.paid", status: "processed", payload: { id, object: "event", type: "invoice.paid", data: { object: { id: "in_listed" } } }, receivedAt: new Date(Date.UTC(2020, 0, 1 + i)) } });
    }
    const first = await listStripeEvents(db(), { status: "processed", type: "invoice.paid", limit: 1, before: { at: new Date(Date.UTC(2020, 0, 3)), id: "evt_z" } });
    expect(first.events.map((e) => e.id)).toEqual([ids[1]]);
    const second = await listStripeEvents(db(), { status: "processed", type: "invoice.paid", limit: 1, before: parseEventCursor(first.next!) });
    expect(second.events.map((e) => e.id)).toEqual([ids[0]]);
  });
});

describe("operator alerts", () => {
  it("are listed until an operator marks them dealt with, once, in the audit log", async () => {
    const op = await newWorkspace("op-alerts");
    const ws = await newWorkspace("op-alerts-ws");
    const alert = await db().operatorAlert.create({ data: { kind: "dispute", workspaceId: ws.workspaceId, subjectId: `dp_${requestKey()}`, message: "A pack payment is disputed.", dedupeKey: requestKey() } });
    expect((await openAlerts(db())).map((a) => a.id)).toContain(alert.id);
    expect(await resolveAlert(db(), { id: op.userId, email: op.email }, alert.id)).toEqual({ resolved: true });
    expect(await resolveAlert(db(), { id: op.userId, email: op.email }, alert.id)).toEqual({ resolved: false });
    expect((await openAlerts(db())).map((a) => a.id)).not.toContain(alert.id);
    expect(await db().auditLog.count({ where: { action: "alert.resolved", subjectId: alert.subjectId } })).toBe(1);
  });
});

describe("members' changes in the audit log", () => {
  it("a role change is logged with the member who made it, in the same transaction; a refused one logs nothing", async () => {
    const owner = await newWorkspace("audit-owner");
    const other = await newWorkspace("audit-other");
    const m = await db().membership.create({ data: { workspaceId: owner.workspaceId, userId: other.userId, role: "MEMBER" } });
    const actor = { kind: "member" as const, id: owner.userId, email: owner.email };
    await changeMember(db(), { workspaceId: owner.workspaceId, actorRole: "OWNER", membershipId: m.id, role: "ADMIN", actor });
    const ownerRow = await db().membership.findFirstOrThrow({ where: { workspaceId: owner.workspaceId, userId: owner.userId } });
    await expect(changeMember(db(), { workspaceId: owner.workspaceId, actorRole: "OWNER", membershipId: ownerRow.id, role: null, actor })).rejects.toMatchObject({ code: "conflict" });
    const { entries } = await listAudit(db(), { workspaceId: owner.workspaceId });
    expect(entries.map((e) => [e.action, e.actorEmail, e.actorKind])).toEqual([["member.role_changed", owner.email, "member"]]);
    expect(entries[0]).toMatchObject({ before: { email: other.email, role: "MEMBER" }, after: { role: "ADMIN", revokedKeys: 0 } });
  });
});

describe("a failing Stripe event in the logs", () => {
  it("is one structured line per failure: a warning at first, an error once it keeps failing", async () => {
    const id = `evt_sev_${requestKey()}`;
    const event = { id, object: "event", type: "invoice.paid", created: Math.floor(Date.now() / 1000), data: { object: { id: `in_missing_${requestKey()}`, object: "invoice" } } };
    const lines: string[] = [];
    const spy = vi.spyOn(console, "error").mockImplementation((...args: unknown[]) => void lines.push(String(args[0])));
    try {
      for (let i = 0; i < 3; i++) expect((await processStripeEvent(db(), event as unknown as Parameters<typeof processStripeEvent>[1])).outcome).toBe("failed");
    } finally {
      spy.mockRestore();
    }
    const ours = lines.filter((l) => l.includes(id)).map((l) => JSON.parse(l) as { severity: string; attempts: number; type: string });
    expect(ours).toHaveLength(3);
    expect(ours[0]).toMatchObject({ severity: "warning", type: "invoice.paid" });
    expect(ours[2]).toMatchObject({ severity: "error" });
    expect(ours[2]!.attempts).toBeGreaterThanOrEqual(3);
    // Processed by nothing else from here on: a failed event would be retried by other files' reconcile runs.
    await db().stripeEvent.delete({ where: { id } });
  });
});

describe("the audit log", () => {
  it("records a string with an unpaired surrogate as its text column would store it (U+FFFD), instead of failing the change", async () => {
    const ws = await newWorkspace("audit-surrogate");
    await db().$transaction((tx) => recordAudit(tx, { kind: "system" }, { workspaceId: ws.workspaceId, action: "test.surrogate", before: { name: "A\ud800" }, after: { names: ["\udc00B", "ok 😀"] } }));
    const entry = await db().auditLog.findFirstOrThrow({ where: { workspaceId: ws.workspaceId, action: "test.surrogate" } });
    expect([entry.before, entry.after]).toEqual([{ name: "A\ufffd" }, { names: ["\ufffdB", "ok 😀"] }]);
  });
});
