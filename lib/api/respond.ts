import { isRetryableConflict } from "@/lib/billing/db-errors";
import { isDatabaseUnavailable } from "@/lib/db";
import { AppError, isAppError } from "@/lib/errors";
import { exact, isPlainDecimal, stringifyJson } from "./json";

/** What an API handler answers: written by `apiEndpoint` with its Content-Length, in one write. */
export interface ApiReply {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/**
 * A JSON answer; `no-store` because every answer is about live quota and must never be cached. Amounts
 * (ExactNumber) are written with their exact digits.
 */
export function json(body: unknown, init: { status?: number; headers?: Record<string, string> } = {}): ApiReply {
  return {
    status: init.status ?? 200,
    headers: { "content-type": "application/json; charset=utf-8", "cache-control": "no-store", ...init.headers },
    body: stringifyJson(body),
  };
}

// The details worth a caller's code; amounts become exact JSON numbers at this edge, like the answers.
const AMOUNT_DETAILS = new Set(["units", "remaining", "extrasRemaining"]);

function wireDetails(details: Record<string, unknown> | undefined): Record<string, unknown> | undefined {
  if (!details) return undefined;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(details)) out[k] = AMOUNT_DETAILS.has(k) && typeof v === "string" && isPlainDecimal(v) ? exact(v) : v;
  return out;
}

/** The API's error shape, { error: { code, message, details? } }, with the code's status. */
export function errorBody(e: AppError) {
  const details = wireDetails(e.details);
  return { error: { code: e.code, message: e.message, ...(details ? { details } : {}) } };
}

export function errorReply(e: unknown): ApiReply {
  // A database outage is not our bug and not the caller's: 503 with Retry-After tells a client to replay the
  // request with its idempotency key, which is safe because nothing was applied (or the replay returns it).
  if (!isAppError(e) && isDatabaseUnavailable(e)) {
    console.error("[api] database unavailable:", e instanceof Error ? e.message.split("\n").filter(Boolean).pop() : e);
    e = new AppError("billing_unavailable", "Billing is unavailable right now; retry the request with the same idempotency key.");
  }
  // A deadlock or serialization failure the engine did not retry itself: PostgreSQL rolled back the statement or
  // transaction that failed, and a replay is safe as every other 503 is (idempotency keys, or writes that say
  // what they set). Logged, because the path that let it out should retry it itself.
  if (!isAppError(e) && isRetryableConflict(e)) {
    console.error("[api] conflict not retried:", e instanceof Error ? e.message : e);
    e = new AppError("billing_unavailable", "The database is busy right now; retry the request (with the same idempotency key, if it has one).");
  }
  if (!isAppError(e)) {
    // Only our own failures land here (bad input is always an AppError), so log it and say nothing inside.
    console.error("[api] unexpected error:", e);
    return json({ error: { code: "internal_error", message: "Something went wrong on our side; retry the request." } }, { status: 500 });
  }
  const headers: Record<string, string> = {};
  if (e.code === "rate_limited" && typeof e.details?.retryAfter === "number") headers["retry-after"] = String(e.details.retryAfter);
  if (e.code === "quota_exhausted" && typeof e.details?.remaining === "string") headers["x-quota-remaining"] = e.details.remaining;
  if (e.code === "billing_unavailable") headers["retry-after"] = "1";
  if (e.code === "method_not_allowed" && Array.isArray(e.details?.allow)) headers.allow = e.details.allow.join(", ");
  return json(errorBody(e), { status: e.status, headers });
}

export const invalid = (message: string, field?: string) => new AppError("invalid_request", message, field ? { field } : undefined);
