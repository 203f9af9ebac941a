import { inject } from "vitest";
import { createDb } from "@/lib/db";
import type { PrismaClient } from "@/lib/generated/prisma/client";
import { createApiKey } from "@/lib/api-keys";
import { defaultPlans, type EntitlementSpec, type PlanSpec } from "@/lib/billing/catalog";
import { publishPlan } from "@/lib/billing/plans";
import { createWorkspace } from "@/lib/workspaces/create-workspace";
import { openMailbox } from "../helpers/mailbox";
import { withoutSeatClaims } from "../helpers/seats";
import { createTallyClient, type TallyClientOptions } from "@tally/client";
import { createClient } from "./client";

export const baseUrl = inject("httpBaseUrl");
let client: PrismaClient | undefined;

/** What the server sent, as the test SMTP server received it. */
export const mailbox = openMailbox(inject("httpMailDir"));

/** A client on the server's database, for seeding and for reading what the API wrote. */
export function testDb(): PrismaClient {
  client ??= createDb(inject("httpDatabaseUrl"), 8);
  return client;
}

export const api = createClient(baseUrl, 128);

/**
 * The typed client (packages/client) on a workspace key, sending through `api`'s bounded connection pool: the
 * tests call the API as an integrator would, so the client and the server cannot drift apart.
 */
export function tallyClient(key: string, opts: Partial<TallyClientOptions> = {}) {
  return createTallyClient({ baseUrl, apiKey: key, fetch: pooledFetch, ...opts });
}

async function pooledFetch(request: Request): Promise<Response> {
  const url = new URL(request.url);
  const body = request.method === "GET" || request.method === "HEAD" ? undefined : Buffer.from(await request.arrayBuffer());
  const headers = Object.fromEntries(request.headers);
  const r = await api.request(url.pathname + url.search, { method: request.method, headers, ...(body ? { raw: body } : {}) });
  const out = new Headers();
  for (const [k, v] of Object.entries(r.headers)) if (v !== undefined) out.set(k, Array.isArray(v) ? v.join(", ") : v);
  return new Response(r.status === 204 ? null : r.text, { status: r.status, headers: out });
}

export async function closeAll() {
  api.close();
  await client?.$disconnect();
  client = undefined;
}

export const uid = () => crypto.randomUUID().slice(0, 8);

/** A workspace on a plan of its own, `compute` overridden, with an API key; returns the key's secret. */
export async function seedWorkspace(opts: { compute?: Partial<EntitlementSpec> } = {}) {
  const db = testDb();
  const base = defaultPlans[0]!;
  const spec: PlanSpec = {
    ...base,
    key: `http_${uid()}`,
    entitlements: base.entitlements.map((e) => (e.feature === "compute" ? { ...e, ...opts.compute } : e)),
  };
  const { plan } = await publishPlan(db, spec);
  const user = await db.user.create({ data: { email: `owner-${uid()}@example.test` } });
  const ws = await createWorkspace(db, { name: `Api ${uid()}`, ownerId: user.id });
  await withoutSeatClaims(db, ws.id);
  await db.subscription.update({ where: { workspaceId: ws.id }, data: { planId: plan.id, status: "active" } });
  const key = await createApiKey(db, { workspaceId: ws.id, name: "test", createdById: user.id });
  return { workspaceId: ws.id, key: key.secret, keyId: key.id, userId: user.id };
}

/** What the API may have written for a workspace, to prove a refused request wrote nothing. */
export async function written(workspaceId: string) {
  const db = testDb();
  const [events, used] = await Promise.all([
    db.usageEvent.count({ where: { workspaceId } }),
    db.usageWindow.aggregate({ where: { workspaceId }, _sum: { used: true } }),
  ]);
  return { events, used: used._sum.used?.toFixed() ?? "0" };
}

/** A distinct client address per test, so the bad-key limiter's counts never leak between tests. */
export const clientIp = () => `10.${Math.floor(Math.random() * 250)}.${Math.floor(Math.random() * 250)}.${Math.floor(Math.random() * 250)}`;
