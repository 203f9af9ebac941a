import { createHash, timingSafeEqual } from "node:crypto";
import { db as appDb } from "@/lib/db";
import { messageOf } from "@/lib/errors";
import type { PrismaClient } from "@/lib/generated/prisma/client";
import { Prisma } from "@/lib/generated/prisma/client";

export interface CronContext {
  db: PrismaClient;
  runId: string;
  now: Date;
  /** Start no new batch after this (ms since epoch); the job reports a cursor instead of running past its time. */
  deadline: number;
  /**
   * The `cursor` the route's last finished run reported (it ran out of time there), or null: a job that walks every
   * workspace starts after it and goes round, so the workspaces at the end of the order are reached too.
   */
  resumeAfter: string | null;
}

export type CronJob = (ctx: CronContext) => Promise<Record<string, unknown>>;

/** Vercel stops a function after maxDuration (300 s); the job stops taking batches well before. */
const BUDGET_MS = 240_000;
/** A run not finished after this long is taken to have crashed, and no longer blocks the next one. */
const LEASE_MS = 360_000;

const json = (status: number, body: unknown) => new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json", "cache-control": "no-store" } });

const digest = (s: string) => createHash("sha256").update(s, "utf8").digest();

/** `Authorization: Bearer <CRON_SECRET>`, compared in constant time (over digests, so lengths leak nothing either). */
export function cronAuthorized(header: string | null, secret: string): boolean {
  return timingSafeEqual(digest(header ?? ""), digest(`Bearer ${secret}`));
}

/**
 * Claims the route for one run: under a transaction-scoped advisory lock (so two instances serialize the
 * check), an unfinished recent CronRun means another run is in progress; otherwise this run's row is the lease.
 * The lock is held only for the claim, never across the job, so no connection is pinned for minutes.
 */
async function claimRun(db: PrismaClient, route: string, now: Date): Promise<string | null> {
  return db.$transaction(async (tx) => {
    await tx.$queryRaw`SELECT pg_advisory_xact_lock(hashtext(${`tally-cron:${route}`}))::text`;
    const running = await tx.cronRun.findFirst({ where: { route, finishedAt: null, startedAt: { gt: new Date(now.getTime() - LEASE_MS) } }, select: { id: true } });
    if (running) return null;
    return (await tx.cronRun.create({ data: { route, startedAt: now } })).id;
  });
}

/**
 * Wraps a cron job as a GET route handler: refused when CRON_SECRET is unset (503) or the token is missing
 * or wrong (401); one run at a time per route across all instances, a concurrent second run answering
 * `skipped`; each run recorded as a CronRun with its JSON summary, which is also the answer.
 */
export function withCron(route: string, job: CronJob, deps: { db?: () => PrismaClient } = {}) {
  return async (req: Request): Promise<Response> => {
    const secret = process.env.CRON_SECRET;
    if (!secret) return json(503, { error: { code: "cron_disabled", message: "CRON_SECRET is not set, so cron routes are refused." } });
    if (!cronAuthorized(req.headers.get("authorization"), secret)) return json(401, { error: { code: "unauthorized", message: "Missing or wrong cron token." } });
    const db = (deps.db ?? appDb)();
    const startedAt = new Date();
    let runId: string | null = null;
    try {
      runId = await claimRun(db, route, startedAt);
      if (!runId) return json(200, { route, skipped: true, reason: "Another run of this job is in progress." });
      const summary = await job({ db, runId, now: startedAt, deadline: startedAt.getTime() + BUDGET_MS, resumeAfter: await lastCursor(db, route, runId) });
      const finishedAt = new Date();
      const body = { route, runId, skipped: false, startedAt: startedAt.toISOString(), durationMs: finishedAt.getTime() - startedAt.getTime(), ...summary };
      await db.cronRun.update({ where: { id: runId }, data: { finishedAt, summary: JSON.parse(JSON.stringify(body)) as Prisma.InputJsonObject } });
      return json(200, body);
    } catch (e) {
      console.error(`[cron] ${route} failed:`, e);
      const message = messageOf(e);
      if (runId) await db.cronRun.update({ where: { id: runId }, data: { finishedAt: new Date(), summary: { route, error: message } } }).catch(() => undefined);
      return json(500, { route, error: { code: "internal_error", message } });
    }
  };
}

/**
 * The `cursor` in the summary of the route's newest run before this one that finished without an error, when it
 * left one. A failed run says nothing of how far it got: the next one takes up where the last good one stopped.
 */
async function lastCursor(db: PrismaClient, route: string, runId: string): Promise<string | null> {
  const runs = await db.cronRun.findMany({ where: { route, finishedAt: { not: null }, id: { not: runId } }, orderBy: { startedAt: "desc" }, take: 20, select: { summary: true } });
  const last = runs.map((r) => r.summary as { cursor?: unknown; error?: unknown } | null).find((s) => s && s.error === undefined);
  return typeof last?.cursor === "string" ? last.cursor : null;
}
