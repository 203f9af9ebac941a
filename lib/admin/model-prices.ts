import type { Client } from "@/lib/billing";
import { isUniqueViolation } from "@/lib/billing/db-errors";
import { toDec } from "@/lib/billing/units";
import { inTransaction } from "@/lib/db";
import { AppError } from "@/lib/errors";
import { recordAudit } from "./audit";
import type { Operator } from "./operators";

export interface ModelPriceVersion {
  id: string;
  input: string;
  output: string;
  effectiveFrom: Date;
  createdByEmail: string | null;
  /** current: prices usage now | scheduled: from a later date | past: replaced by a later version. */
  state: "current" | "scheduled" | "past";
}

export interface ModelPrices {
  provider: string;
  model: string;
  versions: ModelPriceVersion[]; // newest effectiveFrom first
}

/** Every model's price versions, grouped by model, with which one prices usage now. The table is small (models × versions). */
export async function listModelPrices(db: Client, now = new Date()): Promise<ModelPrices[]> {
  const rows = await db.modelPrice.findMany({ orderBy: [{ provider: "asc" }, { model: "asc" }, { effectiveFrom: "desc" }] });
  const out: ModelPrices[] = [];
  for (const r of rows) {
    let group = out.at(-1);
    if (!group || group.provider !== r.provider || group.model !== r.model) out.push((group = { provider: r.provider, model: r.model, versions: [] }));
    const hasCurrent = group.versions.some((v) => v.state === "current");
    const state = r.effectiveFrom > now ? "scheduled" : hasCurrent ? "past" : "current";
    group.versions.push({
      id: r.id, input: toDec(r.inputDollarsPerMillion).toFixed(), output: toDec(r.outputDollarsPerMillion).toFixed(),
      effectiveFrom: r.effectiveFrom, createdByEmail: r.createdByEmail, state,
    });
  }
  return out;
}

const MINUTE = 60_000;

/**
 * When a version asked for "now" takes effect: the next whole minute. Never earlier than the request, so
 * usage already recorded keeps its price, and the same for a double submit, which is then one version.
 */
export const nextWholeMinute = (now: Date) => new Date(Math.ceil((now.getTime() + 1) / MINUTE) * MINUTE);

/**
 * A new price version of a model (or a model's first price), in effect from `effectiveFrom` (default: the
 * next whole minute). Never in the past: usage recorded before it keeps the price it was recorded with, and
 * usage reported up to 24 hours late is priced by the version in effect when it happened.
 */
export async function addModelPriceVersion(
  db: Client,
  op: Operator,
  input: { provider: string; model: string; input: string; output: string; effectiveFrom?: Date | null; now?: Date },
) {
  const now = input.now ?? new Date();
  const effectiveFrom = input.effectiveFrom ?? nextWholeMinute(now);
  if (effectiveFrom < now) {
    throw new AppError("invalid_request", "A new price takes effect now or later: usage already recorded keeps its price.", { field: "effectiveFrom" });
  }
  const key = { provider: input.provider, model: input.model };
  try {
    return await inTransaction(db, async (tx) => {
      const current = await tx.modelPrice.findFirst({ where: { ...key, effectiveFrom: { lte: effectiveFrom } }, orderBy: { effectiveFrom: "desc" } });
      const created = await tx.modelPrice.create({
        data: { ...key, inputDollarsPerMillion: input.input, outputDollarsPerMillion: input.output, effectiveFrom, createdByEmail: op.email },
      });
      await recordAudit(tx, { kind: "operator", id: op.id, email: op.email }, {
        action: "model_price.versioned", subjectType: "model_price", subjectId: created.id,
        before: current ? { provider: current.provider, model: current.model, input: current.inputDollarsPerMillion, output: current.outputDollarsPerMillion, effectiveFrom: current.effectiveFrom } : null,
        after: { ...key, input: input.input, output: input.output, effectiveFrom },
      });
      return { created: true, version: created };
    });
  } catch (e) {
    if (!isUniqueViolation(e)) throw e;
    // A version already starts at that instant: the same one (a double submit) is fine, another is refused.
    const existing = await db.modelPrice.findUniqueOrThrow({ where: { provider_model_effectiveFrom: { ...key, effectiveFrom } } });
    if (existing.inputDollarsPerMillion.equals(input.input) && existing.outputDollarsPerMillion.equals(input.output)) return { created: false, version: existing };
    throw new AppError("conflict", `Another price of ${input.provider}/${input.model} already starts at ${effectiveFrom.toISOString()}.`, { field: "effectiveFrom" });
  }
}
