import "./env";
import { inject } from "vitest";
import { createDb } from "@/lib/db";
import type { PrismaClient } from "@/lib/generated/prisma/client";
import { createClient, type Reply } from "../http/client";

export const instanceA = () => inject("chaosA");
export const instanceB = () => inject("chaosB");

let client: PrismaClient | undefined;
/** A client on the instances' database, to seed and to read what the servers wrote. */
export function chaosDb(): PrismaClient {
  client ??= createDb(inject("chaosDatabaseUrl"), 8);
  return client;
}

export async function closeDb() {
  await client?.$disconnect();
  client = undefined;
}

/** A distinct client address per test, so the bad-key limiter's counts never leak between tests. */
export const clientIp = () => `10.${Math.floor(Math.random() * 250)}.${Math.floor(Math.random() * 250)}.${Math.floor(Math.random() * 250)}`;

/** Counts of each status in a list of replies, e.g. { 200: 100, 402: 900 }. */
export function statusCounts(replies: Pick<Reply, "status">[]): Record<number, number> {
  const out: Record<number, number> = {};
  for (const r of replies) out[r.status] = (out[r.status] ?? 0) + 1;
  return out;
}

export { createClient };
export { PASSWORD, seedWorkspace, uid, written } from "./helpers-db";
