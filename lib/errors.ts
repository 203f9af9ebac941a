/** Error codes the app and the API answer with, each mapped to one HTTP status. */
export const errorStatus = {
  invalid_request: 400,
  workspace_required: 400,
  invalid_redirect_url: 400,
  invalid_timestamp: 400,
  unauthorized: 401,
  forbidden: 403,
  email_unverified: 403,
  not_found: 404,
  method_not_allowed: 405,
  idempotency_conflict: 409,
  conflict: 409,
  quota_exhausted: 402,
  payload_too_large: 413,
  unsupported_media_type: 415,
  rate_limited: 429,
  billing_unavailable: 503,
  purchases_blocked: 402,
  internal_error: 500,
} as const;

export type ErrorCode = keyof typeof errorStatus;

export class AppError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
    this.name = "AppError";
  }

  get status(): number {
    return errorStatus[this.code];
  }

  toJSON() {
    return { error: { code: this.code, message: this.message, ...(this.details ? { details: this.details } : {}) } };
  }
}

export const isAppError = (e: unknown): e is AppError => e instanceof AppError;

/** What a caught value says, for a log line or an alert: an Error's message, anything else as text. */
export const messageOf = (e: unknown): string => (e instanceof Error ? e.message : String(e));
