import type { FormObject } from "./form";

export interface SavedResponse {
  method: string;
  path: string;
  fingerprint: string;
  status: number;
  body: string;
  /** The request id of the first request, answered as `Original-Request` on replays. */
  originalRequest: string;
  savedAt: number;
}

const DAY_MS = 24 * 60 * 60 * 1000;

/** Stripe keeps idempotent results for 24 hours, keyed by the Idempotency-Key header. */
export class IdempotencyStore {
  private saved = new Map<string, SavedResponse>();

  get(key: string): SavedResponse | undefined {
    const hit = this.saved.get(key);
    if (hit && Date.now() - hit.savedAt > DAY_MS) {
      this.saved.delete(key);
      return undefined;
    }
    return hit;
  }

  save(key: string, response: Omit<SavedResponse, "savedAt">): void {
    this.saved.set(key, { ...response, savedAt: Date.now() });
  }

  reset(): void {
    this.saved.clear();
  }
}

/** A canonical form of the parameters: the same values in any key order give the same text. */
export function fingerprint(params: FormObject): string {
  return JSON.stringify(sortKeys(params));
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(value).sort()) out[k] = sortKeys((value as Record<string, unknown>)[k]);
    return out;
  }
  return value;
}
