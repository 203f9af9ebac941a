import fc from "fast-check";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { decideQuota, remainingOf, type ExtrasState, type QuotaDecision, type WindowState } from "@/lib/billing/quota-rule";
import { LIFETIME_END_TEXT, THRESHOLD_LIST } from "@/lib/billing/thresholds";
import { Dec, formatUnits, toDec } from "@/lib/billing/units";
import { closeTestDb, seedWorkspace, uid } from "./helpers";

// The database function tally_record_usage (record-usage.sql) and the quota rule (quota-rule.ts) must decide
// alike: over random windows, extras and deltas, the function accepts exactly the changes the rule accepts
// without extras, moves the counter by the rule's quota part and answers the rule's remaining; when it
// refuses, the state it reports leads the rule to the same decision as the state it was given. Each case
// runs in a transaction rolled back afterwards, so the books never see these hand-made windows.

let client: pg.Client;
let workspaceId: string;
let planId: string;

beforeAll(async () => {
  ({ workspaceId, planId } = await seedWorkspace());
  client = new pg.Client({ connectionString: process.env.DATABASE_URL! });
  await client.connect();
});

afterAll(async () => {
  await client.end();
  await closeTestDb();
});

// Hundredths, so sums and comparisons exercise decimals, not only integers.
const amount = (min: number, max: number) => fc.integer({ min: min * 100, max: max * 100 }).map((n) => toDec(n).div(100));

const caseArb = fc
  .record({
    kind: fc.constantFrom("meter" as const, "gauge" as const),
    quota: fc.option(amount(0, 100), { nil: null, freq: 5 }),
    used: amount(0, 120),
    overflow: fc.constantFrom("block" as const, "extras" as const, "soft" as const),
    balance: amount(-20, 50),
    spendable: amount(0, 60),
    delta: amount(0.01, 60),
    release: fc.boolean(),
  })
  .map((c) => ({ ...c, delta: c.kind === "gauge" ? toDec(Math.ceil(c.delta.toNumber())).times(c.release ? -1 : 1) : c.delta }));

/** A decision with its amounts as text, to compare two decisions by value. */
const plain = (d: QuotaDecision) => JSON.parse(JSON.stringify(d, (_, v: unknown) => (Dec.isDecimal(v) ? (v as Dec).toFixed() : v))) as unknown;

const CALL = `
  SELECT response, window_used, window_quota, balance, spendable
  FROM tally_record_usage($1, $2, $3::"EntitlementKind", $4::numeric, $5, $6, $7, NULL::jsonb, $8::timestamp(3), $9, $10::int[], $11::timestamp(3), NULL::jsonb)`;

describe("the quota rule and the metering statement", () => {
  it("decide alike over random states (property)", async () => {
    const now = new Date();
    await fc.assert(
      fc.asyncProperty(caseArb, async (c) => {
        const feature = `rule_${uid()}`;
        const window: WindowState = { kind: c.kind, quota: c.quota, used: c.used, overflow: c.overflow };
        const extras: ExtrasState = { balance: c.balance, spendable: c.spendable };
        const decision = decideQuota(window, extras, c.delta);
        await client.query("BEGIN");
        try {
          const id = `w_${uid()}${uid()}`;
          await client.query(
            `INSERT INTO "UsageWindow" (id, "workspaceId", feature, kind, period, "periodStart", "periodEnd", quota, used, overflow, "planId")
             VALUES ($1, $2, $3, $4::"EntitlementKind", 'week', $5::timestamp(3) - interval '1 hour', $5::timestamp(3) + interval '1 day', $6::numeric, $7::numeric, $8::"Overflow", $9)`,
            [id, workspaceId, feature, c.kind, now.toISOString(), c.quota?.toFixed() ?? null, c.used.toFixed(), c.overflow, planId],
          );
          await client.query(`UPDATE "ExtrasAccount" SET balance = $2::numeric WHERE "workspaceId" = $1`, [workspaceId, c.balance.toFixed()]);
          await client.query(
            `INSERT INTO "ExtrasLot" (id, "workspaceId", source, "sourceRef", units, remaining) VALUES ($1, $2, 'adjustment', $1, $3::numeric, $3::numeric)`,
            [`lot_${uid()}${uid()}`, workspaceId, c.spendable.toFixed()],
          );
          const { rows } = await client.query<{ response: { remaining: string | null } | null; window_used: string; window_quota: string | null; balance: string | null; spendable: string }>(CALL, [
            workspaceId, feature, c.kind, c.delta.toFixed(), formatUnits(c.delta.abs()), `k_${uid()}`, "h", now.toISOString(), `e_${uid()}${uid()}`, THRESHOLD_LIST, LIFETIME_END_TEXT,
          ]);
          const row = rows[0]!;
          const after = toDec((await client.query<{ used: string }>(`SELECT used::text AS used FROM "UsageWindow" WHERE id = $1`, [id])).rows[0]!.used);
          if (decision.outcome === "quota") {
            expect(row.response, JSON.stringify(c)).not.toBeNull();
            expect(after.toFixed()).toBe(c.used.plus(decision.quotaPart).toFixed());
            const remaining = remainingOf(c.quota, after);
            expect(row.response!.remaining).toBe(remaining === null ? null : formatUnits(remaining));
          } else {
            expect(row.response, JSON.stringify(c)).toBeNull();
            expect(after.toFixed()).toBe(c.used.toFixed());
            // What the statement reports is enough for the rule to reach the same decision.
            const seen = decideQuota(
              { kind: c.kind, quota: row.window_quota === null ? null : toDec(row.window_quota), used: toDec(row.window_used), overflow: c.overflow },
              { balance: toDec(row.balance ?? "0"), spendable: toDec(row.spendable) },
              c.delta,
            );
            expect(plain(seen)).toEqual(plain(decision));
          }
        } finally {
          await client.query("ROLLBACK");
        }
      }),
      { numRuns: Number(process.env.QUOTA_RULE_RUNS ?? 300), seed: process.env.QUOTA_RULE_SEED ? Number(process.env.QUOTA_RULE_SEED) : undefined },
    );
  });
});
