import { afterAll, beforeAll } from "vitest";
import { createDb } from "@/lib/db";
import type { PrismaClient } from "@/lib/generated/prisma/client";
import { newViolations, violationKeys } from "./books";

// After every integration test file, the invariant checker runs over the worker's whole database and the
// file fails when it finds a violation that was not there before the file started (so each violation is
// blamed on the file that made it, not on every file that the same worker runs after it).
// A test that breaks the books on purpose uses a workspace of its own and removes it (removeWorkspace).

let before: Set<string> | undefined;

async function withDb<T>(fn: (db: PrismaClient) => Promise<T>): Promise<T> {
  const db = createDb(process.env.DATABASE_URL!, 1, { connectMs: 30_000, statementMs: 60_000 });
  try {
    return await fn(db);
  } finally {
    await db.$disconnect();
  }
}

beforeAll(async () => {
  before = await withDb(violationKeys);
});

afterAll(async () => {
  const report = await withDb((db) => newViolations(db, before ?? new Set()));
  if (report) throw new Error(report);
});
