import { z } from "zod";
import { AppError } from "@/lib/errors";
import { Dec, MAX_UNITS, ZERO, minDec, roundUnits, toDec, type Dec as DecT } from "./units";

/**
 * Costs of one run of work, turned into units with the plan version's frozen ratios:
 *
 *   units = runBaseUnits + weight(action) + dollars × dollarsToUnits, capped at maxUnitsPerRun
 *
 * where dollars = costs.dollars + Σ tokens × the model's price per million (input and output priced apart).
 * `action` is one of the plan's action weights (small 1, medium 2.5, large 5, xl 15 in the default catalog).
 * Token counts are integers; dollars a decimal string or number with at most 6 decimal places.
 */
export const costsSchema = z
  .object({
    action: z.string().min(1).max(64).optional(),
    dollars: z.union([z.number(), z.string()]).optional(),
    tokens: z
      .array(
        z.object({
          provider: z.string().min(1).max(64),
          model: z.string().min(1).max(128),
          input: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER).default(0),
          output: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER).default(0),
        }).strict(),
      )
      .max(100)
      .optional(),
  })
  .strict();

export type CostsInput = z.input<typeof costsSchema>;
export type Costs = z.output<typeof costsSchema>;

export interface Ratios {
  runBaseUnits: DecT;
  dollarsToUnits: DecT;
  maxUnitsPerRun: DecT | null;
  /**
   * A Map, not an object: an action is a caller's string, and a lookup on an object would find
   * Object.prototype's members ("constructor", "__proto__", "toString") as if they were weights.
   */
  actionWeights: ReadonlyMap<string, DecT>;
}

/** Dollars per million tokens, keyed by `${provider}/${model}`. */
export type PriceTable = Map<string, { input: DecT; output: DecT }>;

export const priceKey = (provider: string, model: string) => `${provider}/${model}`;

const DOLLARS_RE = /^(?:0|[1-9]\d*)(?:\.\d{1,6})?$/;

function parseDollars(value: number | string): DecT {
  const text = typeof value === "number" ? (Number.isFinite(value) ? String(value) : "") : value.trim();
  if (!DOLLARS_RE.test(text)) {
    throw new AppError("invalid_request", "costs.dollars must be a non-negative decimal with at most 6 decimal places.", { field: "costs.dollars" });
  }
  return new Dec(text);
}

// The most one run may cost: far above any real run, and well inside what an event stores (costDollars holds
// 26 digits before the point), so an absurd amount is a 400 here and never a failed write.
const MAX_RUN_DOLLARS = new Dec("1000000000000000");

/** Dollars of a run: the given dollars plus its tokens priced through the table. Exact. */
export function costsToDollars(costs: Costs, prices: PriceTable): DecT {
  let dollars = costs.dollars === undefined ? ZERO : parseDollars(costs.dollars);
  for (const t of costs.tokens ?? []) {
    const price = prices.get(priceKey(t.provider, t.model));
    if (!price) {
      throw new AppError("invalid_request", `No price for model ${t.provider}/${t.model}.`, { field: "costs.tokens", provider: t.provider, model: t.model });
    }
    dollars = dollars.plus(price.input.times(t.input).div(1_000_000)).plus(price.output.times(t.output).div(1_000_000));
  }
  if (dollars.gt(MAX_RUN_DOLLARS)) {
    throw new AppError("invalid_request", `The costs of one run add up to more than ${MAX_RUN_DOLLARS.toFixed()} dollars.`, { field: costs.tokens?.length ? "costs" : "costs.dollars" });
  }
  return dollars;
}

/** Units of a run (see costsSchema), rounded half up to six decimals once, at the end. */
export function costsToUnits(costs: Costs, ratios: Ratios, prices: PriceTable): DecT {
  let units = ratios.runBaseUnits;
  if (costs.action !== undefined) {
    const weight = ratios.actionWeights.get(costs.action);
    if (weight === undefined) {
      const known = [...ratios.actionWeights.keys()];
      throw new AppError("invalid_request", `Unknown action "${costs.action}"; expected ${known.length ? `one of ${known.join(", ")}` : "no action on this plan"}.`, {
        field: "costs.action",
      });
    }
    units = units.plus(weight);
  }
  units = units.plus(costsToDollars(costs, prices).times(ratios.dollarsToUnits));
  if (ratios.maxUnitsPerRun) units = minDec(units, ratios.maxUnitsPerRun);
  units = roundUnits(units);
  if (units.lte(0)) throw new AppError("invalid_request", "These costs come to zero units.", { field: "costs" });
  if (units.gt(MAX_UNITS)) throw new AppError("invalid_request", "These costs exceed the largest amount one request may carry.", { field: "costs" });
  return units;
}

/** Ratios of a plan row (Prisma Decimals and the JSON weights) as exact decimals. */
export function ratiosOf(plan: {
  runBaseUnits: { toFixed(): string };
  dollarsToUnits: { toFixed(): string };
  maxUnitsPerRun: { toFixed(): string } | null;
  actionWeights: unknown;
}): Ratios {
  // Own keys only (Object.entries), into a Map: a weight named "__proto__" stays a weight, never a prototype.
  const weights = new Map<string, DecT>();
  for (const [k, v] of Object.entries((plan.actionWeights ?? {}) as Record<string, string | number>)) weights.set(k, toDec(v));
  return {
    runBaseUnits: toDec(plan.runBaseUnits.toFixed()),
    dollarsToUnits: toDec(plan.dollarsToUnits.toFixed()),
    maxUnitsPerRun: plan.maxUnitsPerRun ? toDec(plan.maxUnitsPerRun.toFixed()) : null,
    actionWeights: weights,
  };
}
