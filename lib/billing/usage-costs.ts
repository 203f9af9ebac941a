import type { Client } from "@/lib/db";
import { AppError } from "@/lib/errors";
import { costsToDollars, costsToUnits, priceKey, ratiosOf, type Costs, type PriceTable } from "./costs";
import { toDec, type Dec } from "./units";
import { hotStatement, type WorkspaceRef } from "./throughput";

/**
 * Units of a run's costs with the workspace's plan version's ratios and the model prices in effect at `at`
 * (one query), and what priced them as JSON for the event: {dollars, tokens: [{..., priceId}]}.
 */
export async function unitsFromCosts(db: Client, workspace: WorkspaceRef, costs: Costs, at: Date): Promise<{ workspaceId: string; units: Dec; costJson: string }> {
  const models = costs.tokens ?? [];
  // A name PostgreSQL's text cannot hold (a NUL) has no price: not looked up, so costsToUnits refuses it as any
  // unpriced model, as this event's own 400 (never a failed statement, which would fail a whole batch).
  const priced = models.filter((t) => !t.provider.includes("\u0000") && !t.model.includes("\u0000"));
  const { workspaceId, rows } = await hotStatement<CostContextRow>(db, workspace, "tally_cost_context", COST_CONTEXT_SQL, [
    priced.map((t) => t.provider),
    priced.map((t) => t.model),
    at.toISOString(),
  ]);
  const row = rows[0];
  if (!row) throw new AppError("not_found", "Workspace not found.", { workspaceId });
  const prices: PriceTable = new Map();
  const priceIds = new Map<string, string>();
  for (const r of row.prices ?? []) {
    prices.set(priceKey(r.provider, r.model), { input: toDec(r.input), output: toDec(r.output) });
    priceIds.set(priceKey(r.provider, r.model), r.id);
  }
  const ratios = ratiosOf({
    runBaseUnits: toDec(row.runBaseUnits),
    dollarsToUnits: toDec(row.dollarsToUnits),
    maxUnitsPerRun: row.maxUnitsPerRun === null ? null : toDec(row.maxUnitsPerRun),
    actionWeights: typeof row.actionWeights === "string" ? JSON.parse(row.actionWeights) : row.actionWeights,
  });
  const units = costsToUnits(costs, ratios, prices);
  const tokens = models.map((t) => ({ provider: t.provider, model: t.model, input: t.input, output: t.output, priceId: priceIds.get(priceKey(t.provider, t.model)) }));
  return { workspaceId, units, costJson: JSON.stringify({ dollars: costsToDollars(costs, prices).toFixed(), tokens }) };
}

interface CostContextRow {
  runBaseUnits: string;
  dollarsToUnits: string;
  maxUnitsPerRun: string | null;
  actionWeights: string | Record<string, string>;
  prices: { id: string; provider: string; model: string; input: string; output: string }[] | null;
}

// Each model's price is the version in effect when the usage happened ($4): the latest effectiveFrom at or before it.
const COST_CONTEXT_SQL = `
  SELECT p."runBaseUnits"::text AS "runBaseUnits", p."dollarsToUnits"::text AS "dollarsToUnits",
         p."maxUnitsPerRun"::text AS "maxUnitsPerRun", p."actionWeights"::text AS "actionWeights",
         (SELECT json_agg(json_build_object('id', m.id, 'provider', m.provider, 'model', m.model,
                   'input', m."inputDollarsPerMillion"::text, 'output', m."outputDollarsPerMillion"::text))
            FROM unnest($2::text[], $3::text[]) AS want(provider, model)
            CROSS JOIN LATERAL (SELECT * FROM "ModelPrice" v WHERE v.provider = want.provider AND v.model = want.model
                                  AND v."effectiveFrom" <= $4::timestamp(3) ORDER BY v."effectiveFrom" DESC LIMIT 1) m) AS prices
  FROM "Subscription" s JOIN "Plan" p ON p.id = s."planId"
  WHERE s."workspaceId" = $1`;
