// Recognises database errors by their PostgreSQL code, whichever layer (model query or raw SQL) raised them.

interface MaybeDbError {
  code?: unknown;
  message?: unknown;
  meta?: { code?: unknown; driverAdapterError?: { cause?: { originalCode?: unknown; constraint?: unknown } } };
  cause?: unknown;
}

// Follows `cause` (a few levels, as isDatabaseUnavailable does), so an error wrapped by another layer is still known.
function pgCode(e: unknown, depth = 0): string | undefined {
  if (!e || typeof e !== "object" || depth > 5) return undefined;
  const err = e as MaybeDbError;
  const original = err.meta?.driverAdapterError?.cause?.originalCode ?? err.meta?.code;
  if (typeof original === "string") return original;
  if (err.code === "P2002") return "23505";
  if (err.code === "P2034") return "40001";
  if (typeof err.code === "string" && /^[0-9A-Z]{5}$/.test(err.code)) return err.code;
  return pgCode(err.cause, depth + 1);
}

/** A unique constraint refused the write: the idempotency guarantee working, not a failure. */
export const isUniqueViolation = (e: unknown): boolean => pgCode(e) === "23505";

/** Deadlock or serialization failure: safe to retry the whole transaction. */
export const isRetryableConflict = (e: unknown): boolean => {
  const code = pgCode(e);
  return code === "40P01" || code === "40001";
};
