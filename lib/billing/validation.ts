import { createHash } from "node:crypto";
import { z } from "zod";
import { AppError } from "@/lib/errors";
import { costsSchema, type Costs, type CostsInput } from "./costs";
import { parseUnits, type Dec } from "./units";
import { isWorkspaceScope, type WorkspaceRef, type WorkspaceScope } from "./throughput";
import { isCalendarTime } from "@/lib/dates";

/** Largest metadata a usage event may carry, as UTF-8 JSON. */
export const MAX_METADATA_BYTES = 4096;
/** Deepest nesting of objects and arrays in metadata (the object itself is level 1). */
export const MAX_METADATA_DEPTH = 32;

export const featureSchema = z.string().regex(/^[a-z][a-z0-9_]{0,63}$/, "must be a feature key such as compute or api_calls");
export const workspaceIdSchema = z.string().min(1).max(64);
/** A workspace id, or a scope the first statement resolves (see workspace-scope.ts). */
export const workspaceRefSchema = z.union([workspaceIdSchema, z.custom<WorkspaceScope>(isWorkspaceScope, "must be a workspace id")]);
export const idempotencyKeySchema = z
  .string()
  .min(1)
  .max(255)
  .regex(/^[\x21-\x7e]+$/, "must be 1-255 printable ASCII characters without spaces");

const metadataSchema = z.record(z.string(), z.unknown());

/** What a check and a recording both take: the workspace, the feature, the units or costs, and the time. */
export const usageQuestionShape = {
  workspaceId: workspaceRefSchema,
  feature: featureSchema,
  // Checked by parseUnits, which names the problem (NaN, Infinity, too many decimals) precisely.
  units: z.unknown().optional(),
  costs: costsSchema.optional(),
  now: z.date().optional(),
};

const recordSchema = z
  .object({
    ...usageQuestionShape,
    idempotencyKey: idempotencyKeySchema,
    metadata: metadataSchema.optional(),
    timestamp: z.union([z.date(), z.string()]).optional(),
  })
  .strict();

/** How far back a usage event may be dated. */
export const BACKDATE_GRACE_MS = 24 * 60 * 60 * 1000;
/** How far ahead of the server's clock a timestamp may be (the sender's clock skew); it is then taken as now. */
export const CLOCK_SKEW_MS = 5000;

// ISO 8601 with a time and an offset (Z or ±hh:mm), as the API documents it.
const ISO_WITH_OFFSET = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:?\d{2})$/i;

const instantOf = (t: Date | string): Date => (typeof t === "string" ? (ISO_WITH_OFFSET.test(t) && isCalendarTime(t) ? new Date(t) : new Date(NaN)) : t);

/** What a timestamp must be, said alike wherever one is refused for its form. */
export const TIMESTAMP_FORMAT = "must be ISO 8601 with a time zone offset, e.g. 2026-05-01T12:00:00Z.";

/**
 * When the usage happened: `timestamp` (backdated) or now. invalid_timestamp when it is malformed, more than
 * BACKDATE_GRACE_MS before now, or more than CLOCK_SKEW_MS after it; a timestamp within the skew is now.
 */
export function eventTime(timestamp: Date | string | undefined, now: Date): { at: Date; error?: AppError } {
  if (timestamp === undefined) return { at: now };
  const at = instantOf(timestamp);
  const invalid = (message: string) => ({ at: now, error: new AppError("invalid_timestamp", message, { field: "timestamp" }) });
  if (Number.isNaN(at.getTime())) return invalid(`timestamp ${TIMESTAMP_FORMAT}`);
  if (at.getTime() > now.getTime() + CLOCK_SKEW_MS) return invalid("timestamp is in the future; usage can only be recorded when it has happened.");
  if (at.getTime() < now.getTime() - BACKDATE_GRACE_MS) return invalid("timestamp is more than 24 hours in the past; usage can be backdated by at most 24 hours.");
  return { at: at > now ? now : at };
}

export interface RecordUsageInput {
  workspaceId: WorkspaceRef;
  feature: string;
  /** A positive amount: a JSON number or a decimal string, at most 6 decimals and 2^53 - 1. */
  units?: number | string;
  /** Or the costs of a run, priced with the plan version's ratios (see costs.ts). */
  costs?: CostsInput;
  idempotencyKey: string;
  /** A JSON object of at most 4 KB, stored with the event. */
  metadata?: Record<string, unknown>;
  /**
   * When the usage happened, if before now (ISO 8601 with an offset, or a Date): at most 24 hours before now,
   * never after it (up to 5 s of clock skew, taken as now). The event counts in the window that holds it.
   */
  timestamp?: Date | string;
  /** The time of the recording (default: the clock); picks the window when there is no timestamp. */
  now?: Date;
}

/** A validated request: units exact (or costs still to price), metadata serialised, a hash of the payload. */
export interface ParsedRecord {
  workspaceId: WorkspaceRef;
  feature: string;
  units: Dec | null;
  costs: Costs | null;
  idempotencyKey: string;
  metadataJson: string | null;
  requestHash: string;
  now: Date;
  /** When the usage happened: the timestamp, else now. */
  at: Date;
  /** A timestamp out of range: the answer unless the key replays an earlier event. */
  timestampError?: AppError;
  /** Set once costs are priced: what priced them, stored on the event. */
  costJson?: string | null;
}

/** Zod's first issue as an invalid_request naming the field. */
export function zodError(error: z.ZodError): AppError {
  const issue = error.issues[0];
  const field = issue?.path.join(".") || "body";
  return new AppError("invalid_request", `${field}: ${issue?.message ?? "invalid"}`, { field });
}

export function parseRecordInput(input: unknown): ParsedRecord {
  const r = recordSchema.safeParse(input);
  if (!r.success) throw zodError(r.error);
  const v = r.data;
  if ((v.units === undefined) === (v.costs === undefined)) {
    throw new AppError("invalid_request", "Send exactly one of units or costs.", { field: "units" });
  }
  const units = v.units === undefined ? null : parseUnits(v.units);
  const metadataJson = v.metadata === undefined ? null : serialiseMetadata(v.metadata);
  // hashPayload({ feature, units, costs, metadata }) with the object's canonical JSON written out (keys in
  // sorted order): every recording hashes its payload, a batch a thousand times.
  // A timestamp is part of the payload (the same key with another time is a conflict); without one the hash
  // is what it always was, so keys recorded before timestamps existed still replay.
  const now = v.now ?? new Date();
  const time = eventTime(v.timestamp, now);
  const instant = v.timestamp === undefined ? null : instantOf(v.timestamp);
  const stamp = instant === null ? "" : `,"timestamp":${JSON.stringify(Number.isNaN(instant.getTime()) ? String(v.timestamp) : instant.toISOString())}`;
  const canonical = `{"costs":${canonicalJson(v.costs ?? null)},"feature":${JSON.stringify(v.feature)},"metadata":${canonicalJson(v.metadata ?? null)},"units":${JSON.stringify(units?.toFixed() ?? null)}${stamp}}`;
  const requestHash = createHash("sha256").update(canonical).digest("hex");
  return {
    workspaceId: v.workspaceId,
    feature: v.feature,
    units,
    costs: v.costs ?? null,
    idempotencyKey: v.idempotencyKey,
    metadataJson,
    requestHash,
    now,
    at: time.at,
    ...(time.error ? { timestampError: time.error } : {}),
  };
}

function serialiseMetadata(metadata: Record<string, unknown>): string {
  // First, and without recursion: the walks below recurse, and a few thousand levels would overflow the stack.
  if (!shallowerThan(metadata, MAX_METADATA_DEPTH + 1)) {
    throw new AppError("invalid_request", `metadata must be nested at most ${MAX_METADATA_DEPTH} levels deep.`, { field: "metadata" });
  }
  let json: string;
  try {
    json = JSON.stringify(metadata);
  } catch {
    throw new AppError("invalid_request", "metadata must be plain JSON.", { field: "metadata" });
  }
  // PostgreSQL's jsonb cannot hold NUL or an unpaired surrogate; refuse them here as bad input instead of
  // letting the insert fail as a server error.
  if (!storableJson(metadata)) {
    throw new AppError("invalid_request", "metadata cannot contain NUL characters or unpaired UTF-16 surrogates.", { field: "metadata" });
  }
  if (Buffer.byteLength(json, "utf8") > MAX_METADATA_BYTES) {
    throw new AppError("invalid_request", `metadata must be at most ${MAX_METADATA_BYTES} bytes of JSON.`, { field: "metadata" });
  }
  return json;
}

/** True when objects and arrays nest fewer than `limit` levels in `value`; walked with a stack of its own. */
function shallowerThan(value: unknown, limit: number): boolean {
  const stack: [unknown, number][] = [[value, 1]];
  while (stack.length) {
    const [v, depth] = stack.pop()!;
    if (v === null || typeof v !== "object") continue;
    if (depth >= limit) return false;
    for (const child of Object.values(v as object)) stack.push([child, depth + 1]);
  }
  return true;
}

function storableJson(value: unknown): boolean {
  if (typeof value === "string") return !value.includes("\u0000") && value.isWellFormed();
  if (value === null || typeof value !== "object") return true;
  if (Array.isArray(value)) return value.every(storableJson);
  return Object.entries(value as Record<string, unknown>).every(([k, v]) => storableJson(k) && storableJson(v));
}

/** SHA-256 of canonical JSON (sorted keys), so the same payload always hashes the same. */
export function hashPayload(value: unknown): string {
  return createHash("sha256").update(canonicalJson(value)).digest("hex");
}

function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== "object") return JSON.stringify(value) ?? "null";
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(",")}}`;
}
