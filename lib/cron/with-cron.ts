import { createHash, timingSafeEqual } from "node:crypto";
import { db as appDb } from "@/lib/db";
import type { PrismaClient } from "@/lib/generated/prisma/client";
import { Prisma } from "@/lib/generated/prisma/client";

export interface CronContext {
  db: PrismaClient;
  runId: string;
  now: Date;
  /** Start no new batch after this (ms since epoch); the job reports a cursor instead of running past its time. */
  deadline: number;
}

export type CronJob = (ctx: CronContext) => Promise<Record<string, unknown>>;

/** Vercel stops a function after maxDuration (300 s); the job stops taking batches well before. */
const BUDGET_MS = 240_000;

const json = (status: number, body: unknown) => new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json", "cache-control": "no-store" } });

const digest = (s: string) => createHash("sha256").update(s, "utf8").digest();

/** `Authorization: Bearer <CRON_SECRET>`, compared in constant time (over digests, so lengths leak nothing either). */
export function cronAuthorized(header: string | null, secret: string): boolean {
  return timingSafeEqual(digest(header ?? ""), digest(`Bearer ${secret}`));
}

/**
 * Wraps a cron job as a GET route handler: refused when CRON_SECRET is unset (503) or the token is missing
 * or wrong (401); one run at a time per route across all instances (a transaction-scoped advisory lock, so
 * a crashed run releases it), the second concurrent run answering `skipped`; each run recorded as a CronRun
 * with its JSON summary, which is also the answer.
 */
export function withCron(route: string, job: CronJob, deps: { db?: () => PrismaClient } = {}) {
  return async (req: Request): Promise<Response> => {
    const secret = process.env.CRON_SECRET;
    if (!secret) return json(503, { error: { code: "cron_disabled", message: "CRON_SECRET is not set, so cron routes are refused." } });
    if (!cronAuthorized(req.headers.get("authorization"), secret)) return json(401, { error: { code: "unauthorized", message: "Missing or wrong cron token." } });
    const db = (deps.db ?? appDb)();
    const startedAt = new Date();
    try {
      const out = await db.$transaction(
        async (lockTx) => {
          const [lock] = await lockTx.$queryRaw<{ locked: boolean }[]>`SELECT pg_try_advisory_xact_lock(hashtext(${`tally-cron:${route}`})) AS locked`;
          if (!lock?.locked) return { route, skipped: true, reason: "Another run of this job is in progress." };
          const run = await db.cronRun.create({ data: { route, startedAt } });
          const summary = await job({ db, runId: run.id, now: startedAt, deadline: startedAt.getTime() + BUDGET_MS });
          const finishedAt = new Date();
          const body = { route, runId: run.id, skipped: false, startedAt: startedAt.toISOString(), durationMs: finishedAt.getTime() - startedAt.getTime(), ...summary };
          await db.cronRun.update({ where: { id: run.id }, data: { finishedAt, summary: JSON.parse(JSON.stringify(body)) as Prisma.InputJsonObject } });
          return body;
        },
        { maxWait: 10_000, timeout: BUDGET_MS + 50_000 },
      );
      return json(200, out);
    } catch (e) {
      console.error(`[cron] ${route} failed:`, e);
      return json(500, { route, error: { code: "internal_error", message: e instanceof Error ? e.message : String(e) } });
    }
  };
}
