import type { OutgoingMessage } from "@/lib/billing";
import { expect } from "vitest";
import pg from "pg";
import { createDb, pgPoolOf } from "@/lib/db";
import type { PrismaClient } from "@/lib/generated/prisma/client";
import { defaultPlans, type EntitlementSpec, type PlanSpec } from "@/lib/billing/catalog";
import { publishPlan, seedCatalog } from "@/lib/billing/plans";
import { checkInvariants } from "@/lib/billing";
import { isAppError } from "@/lib/errors";
import { createWorkspace } from "@/lib/workspaces/create-workspace";
import { withoutSeatClaims } from "../../helpers/seats";

async function isPglite(url: string): Promise<boolean> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    return /PGlite/i.test((await c.query<{ v: string }>("SELECT version() AS v")).rows[0]!.v);
  } finally {
    await c.end();
  }
}

/**
 * On PostgreSQL the tests send their parallel calls through 24 connections, really in parallel.
 * PGlite (the embedded default) runs every connection on one single-user backend, one connection at a
 * time, so there the calls still start in parallel but reach the database through one connection.
 */
export const ON_PGLITE = await isPglite(process.env.DATABASE_URL!);
export const POOL = ON_PGLITE ? 1 : 24;
// A burst waits for a connection longer than the app's fail-fast 5 s when it all funnels into one.
const CONNECT_WAIT_MS = ON_PGLITE ? 300_000 : 10_000;

let client: PrismaClient | undefined;
/** The app's client (createDb), on PostgreSQL and on PGlite alike: the same code path the app runs. */
export function testDb(): PrismaClient {
  client ??= createDb(process.env.DATABASE_URL!, POOL, { connectMs: CONNECT_WAIT_MS, statementMs: 60_000 });
  return client;
}

/** The app's client; kept as a name for tests written when metering had a second, faster client. */
export const fastTestDb = testDb;

export async function closeTestDb() {
  const c = client;
  client = undefined;
  if (!c) return;
  await c.$disconnect();
  await pgPoolOf(c)?.end();
}

let seeded: Promise<unknown> | undefined;
export const ensureCatalog = () => (seeded ??= seedCatalog(testDb()));

export const uid = () => crypto.randomUUID().slice(0, 8);

/**
 * A workspace of its own on a plan of its own (unique key), so test files can run in parallel.
 * `compute` is overridden from `entitlement`; other features come from the Free plan.
 */
export async function seedWorkspace(opts: {
  compute?: Partial<EntitlementSpec>;
  /** Other features' limits, e.g. { seats: "3" } (a plan version in use can no longer change). */
  limits?: Record<string, string | null>;
  extra?: EntitlementSpec[];
  plan?: Partial<PlanSpec>;
  subscription?: { periodAnchor?: Date; currentPeriodStart?: Date; currentPeriodEnd?: Date };
} = {}) {
  await ensureCatalog();
  const db = testDb();
  const base = defaultPlans[0]!;
  const entitlements = base.entitlements.map((e) => (e.feature === "compute" ? { ...e, ...opts.compute } : e.feature in (opts.limits ?? {}) ? { ...e, limit: opts.limits![e.feature]! } : e));
  const spec: PlanSpec = { ...base, key: `t_${uid()}`, ...opts.plan, entitlements: [...entitlements, ...(opts.extra ?? [])] };
  const { plan } = await publishPlan(db, spec);
  const user = await db.user.create({ data: { email: `owner-${uid()}@example.test`, emailVerified: new Date() } });
  const ws = await createWorkspace(db, { name: `Billing ${uid()}`, ownerId: user.id });
  await withoutSeatClaims(db, ws.id);
  await db.subscription.update({ where: { workspaceId: ws.id }, data: { planId: plan.id, status: "active", ...opts.subscription } });
  return { workspaceId: ws.id, planId: plan.id, planKey: spec.key, spec, ownerEmail: user.email };
}

/** The invariant checker finds nothing wrong for this workspace. */
export async function expectBooksHold(workspaceId: string) {
  expect(await checkInvariants(testDb(), { workspaceId })).toEqual([]);
}

/** Runs all promises; returns fulfilled values and the error codes of rejections (throws on non-AppErrors). */
export async function settle<T>(promises: Promise<T>[]): Promise<{ ok: T[]; codes: string[] }> {
  const results = await Promise.allSettled(promises);
  const ok: T[] = [];
  const codes: string[] = [];
  for (const r of results) {
    if (r.status === "fulfilled") ok.push(r.value);
    else if (isAppError(r.reason)) codes.push(r.reason.code);
    else throw r.reason;
  }
  return { ok, codes };
}

export const count = (codes: string[], code: string) => codes.filter((c) => c === code).length;

/** Row counts that must not change when a request is refused. */
export async function writtenRows(workspaceId: string) {
  const db = testDb();
  const [events, windows, entries, marks, notifications, used] = await Promise.all([
    db.usageEvent.count({ where: { workspaceId } }),
    db.usageWindow.count({ where: { workspaceId } }),
    db.ledgerEntry.count({ where: { workspaceId } }),
    db.thresholdMark.count({ where: { workspaceId } }),
    db.notification.count({ where: { workspaceId } }),
    db.usageWindow.aggregate({ where: { workspaceId }, _sum: { used: true } }),
  ]);
  return { events, windows, entries, marks, notifications, used: used._sum.used?.toFixed() ?? "0" };
}

/** A notifier that records messages instead of sending them. */
export function recordingNotifier(opts: { fail?: boolean } = {}) {
  const sent: OutgoingMessage[] = [];
  return {
    sent,
    async send(m: OutgoingMessage) {
      if (opts.fail) throw new Error("SMTP server refused the connection");
      sent.push(m);
    },
  };
}

/** What a recording notifier sent to one address: a cron run also delivers other tests' pending notices. */
export function sentTo(notifier: { sent: OutgoingMessage[] }, email: string) {
  return notifier.sent.filter((m) => m.to.includes(email));
}
