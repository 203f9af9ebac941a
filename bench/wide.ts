// The wide case of the HTTP bench: many workspaces, each with its own API key and an open window, written in
// bulk (creating them one by one through the app would take longer than the bench itself).
import type pg from "pg";
import { generateSecret } from "../lib/api-keys/secret";

export interface WideWorkspace {
  id: string;
  key: string;
}

/** `count` workspaces on `planId`, each with a key, and a window copied from `template` (an open window's id). */
export async function seedWideWorkspaces(pool: pg.Pool, opts: { count: number; planId: string; template: string }): Promise<WideWorkspace[]> {
  const out: WideWorkspace[] = [];
  const CHUNK = 1000;
  for (let from = 0; from < opts.count; from += CHUNK) {
    const n = Math.min(CHUNK, opts.count - from);
    const ids = Array.from({ length: n }, () => `wide_${crypto.randomUUID()}`);
    const secrets = ids.map(() => generateSecret());
    await pool.query(
      `WITH w AS (
         INSERT INTO "Workspace" (id, slug, name) SELECT id, id, 'Bench wide' FROM unnest($1::text[]) AS t(id) RETURNING id
       ), s AS (
         INSERT INTO "Subscription" (id, "workspaceId", "planId", status, "updatedAt") SELECT 's_' || id, id, $2, 'active', now() FROM w
       ), a AS (
         INSERT INTO "ExtrasAccount" ("workspaceId", "updatedAt") SELECT id, now() FROM w
       ), k AS (
         INSERT INTO "ApiKey" (id, "workspaceId", name, prefix, hash)
         SELECT 'k_' || t.id, t.id, 'bench', t.prefix, t.hash FROM unnest($1::text[], $3::text[], $4::text[]) AS t(id, prefix, hash)
       )
       INSERT INTO "UsageWindow" (id, "workspaceId", feature, kind, period, "periodStart", "periodEnd", quota, used, overflow, "planId")
       SELECT 'uw_' || w.id, w.id, t.feature, t.kind, t.period, t."periodStart", t."periodEnd", t.quota, 0, t.overflow, t."planId"
       FROM w CROSS JOIN "UsageWindow" t WHERE t.id = $5`,
      [ids, opts.planId, secrets.map((s) => s.prefix), secrets.map((s) => s.hash), opts.template],
    );
    ids.forEach((id, i) => out.push({ id, key: secrets[i]!.secret }));
  }
  return out;
}
