import { z } from "zod";
import { AppError } from "@/lib/errors";
import type { Client } from "@/lib/db";
import { applyUsage, type MeteringOptions } from "./record-usage";
import { parseUnits } from "./units";
import type { UsageAnswer } from "./usage-state";
import { featureSchema, hashPayload, idempotencyKeySchema, workspaceIdSchema, zodError } from "./validation";

const gaugeSchema = z
  .object({
    workspaceId: workspaceIdSchema,
    feature: featureSchema,
    units: z.unknown().default(1),
    idempotencyKey: idempotencyKeySchema,
    now: z.date().optional(),
  })
  .strict();

export interface GaugeInput {
  workspaceId: string;
  feature: string;
  /** A whole number, default 1. */
  units?: number | string;
  idempotencyKey: string;
  now?: Date;
}

function parse(op: "claim" | "release", input: GaugeInput) {
  const r = gaugeSchema.safeParse(input);
  if (!r.success) throw zodError(r.error);
  const units = parseUnits(r.data.units);
  if (!units.isInteger()) throw new AppError("invalid_request", "units of a gauge must be a whole number.", { field: "units" });
  return {
    workspaceId: r.data.workspaceId,
    feature: r.data.feature,
    kind: "gauge" as const,
    delta: op === "claim" ? units : units.neg(),
    idempotencyKey: r.data.idempotencyKey,
    requestHash: hashPayload({ op, feature: r.data.feature, units: units.toFixed() }),
    metadataJson: null,
    now: r.data.now ?? new Date(),
  };
}

/**
 * Claims one more (or `units` more) of a gauge such as seats or projects: the same atomic conditional
 * increment as metering, refused with quota_exhausted at the plan's limit. Idempotent per key.
 */
export async function claimGauge(db: Client, input: GaugeInput, opts: MeteringOptions = {}): Promise<UsageAnswer> {
  return applyUsage(db, parse("claim", input), opts);
}

/** Gives claimed units back (never below zero). Use a key of its own, e.g. "release-seat:<membershipId>". */
export async function releaseGauge(db: Client, input: GaugeInput, opts: MeteringOptions = {}): Promise<UsageAnswer> {
  return applyUsage(db, parse("release", input), opts);
}
