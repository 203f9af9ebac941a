// Retries what the API asks to be retried: 429 (rate_limited) and 503 (billing_unavailable) come with
// Retry-After, and a request is never sent again sooner than that. The same Request (same body, same
// idempotency key) is sent each time, so a retry can never record twice.

export interface RetryOptions {
  /** Attempts after the first; 0 turns retrying off. Default 3. */
  retries?: number;
  /** Longest wait this client accepts; a Retry-After above it is answered to the caller instead. Default 30 s. */
  maxDelayMs?: number;
  /** Wait when the answer carries no Retry-After, doubled per attempt. Default 250 ms. */
  baseDelayMs?: number;
  /** How to wait (tests pass a fake clock). */
  sleep?: (ms: number) => Promise<void>;
}

export const RETRIED_STATUSES = new Set([429, 503]);

/** Retry-After in milliseconds: delta-seconds or an HTTP date; null when absent or unreadable. */
export function retryAfterMs(value: string | null, now = Date.now()): number | null {
  if (value === null || value.trim() === "") return null;
  if (/^\d+$/.test(value.trim())) return Number(value.trim()) * 1000;
  const at = Date.parse(value);
  return Number.isNaN(at) ? null : Math.max(0, at - now);
}

const wait = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** A fetch that sends a request again on 429 and 503, waiting what Retry-After says, at most `retries` times. */
export function retryingFetch(inner: (req: Request) => Promise<Response>, opts: RetryOptions = {}) {
  const retries = opts.retries ?? 3;
  const maxDelayMs = opts.maxDelayMs ?? 30_000;
  const baseDelayMs = opts.baseDelayMs ?? 250;
  const sleep = opts.sleep ?? wait;
  return async (request: Request): Promise<Response> => {
    for (let attempt = 0; ; attempt++) {
      // Each attempt sends a copy, so the body is still there for the next one.
      const response = await inner(attempt < retries ? request.clone() : request);
      if (!RETRIED_STATUSES.has(response.status) || attempt >= retries) return response;
      const asked = retryAfterMs(response.headers.get("retry-after"));
      const delay = asked ?? baseDelayMs * 2 ** attempt;
      // Told to wait longer than we may: the caller decides, with the answer in hand.
      if (delay > maxDelayMs) return response;
      await response.body?.cancel();
      await sleep(delay);
    }
  };
}
