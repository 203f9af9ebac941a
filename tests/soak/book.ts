// The soak's own books: every idempotency key it sent, with its payload and its definite answer, the topups
// it made, and what it saw go wrong. The comparison with the database at the end is made against these.
import { FEATURES } from "./seed";

export interface Payload {
  feature: string;
  units?: number | string;
  costs?: { action: string };
}

/** An answer as the API sends it (decimals as JSON numbers). */
export interface WireAnswer {
  allowed: boolean;
  feature: string;
  units: number;
  remaining: number | null;
  extrasRemaining: number;
  resetsAt: string | null;
}

export interface KeyRecord {
  workspace: number;
  key: string;
  payload: Payload;
  /** 0 until the key has a definite answer (200 or 402); a 503 or a cut connection leaves it 0 and it is retried. */
  status: 0 | 200 | 402;
  answer?: WireAnswer;
  /** In a request right now: never picked for a replay or a conflict meanwhile, so a key is in flight once. */
  busy: boolean;
}

export const isUnlimitedOrSoft = (feature: string, tier: number) => FEATURES[feature]!.overflow === "soft" || FEATURES[feature]!.limits[tier] === null;

export class Book {
  readonly keys = new Map<string, KeyRecord>();
  /** Per workspace: keys answered 200, then keys answered 402 (candidates for replays and conflicts). */
  readonly accepted: KeyRecord[][];
  readonly refused: KeyRecord[][];
  readonly topups: { workspace: number; paymentIntentId: string; units: string; done: boolean }[] = [];
  readonly differences: string[] = [];
  readonly unexpected: string[] = [];
  counts = { events: 0, replays: 0, finalReplays: 0, conflicts: 0, checks: 0, limitations: 0, requests: 0, batches: 0, singles: 0, retried: 0, unavailable: 0, connectionErrors: 0, topups: 0 };

  constructor(workspaces: number) {
    this.accepted = Array.from({ length: workspaces }, () => []);
    this.refused = Array.from({ length: workspaces }, () => []);
  }

  newKey(workspace: number, key: string, payload: Payload): KeyRecord {
    const rec: KeyRecord = { workspace, key, payload, status: 0, busy: true };
    this.keys.set(key, rec);
    this.counts.events++;
    return rec;
  }

  /** A key not in flight, answered `status` before, or undefined. */
  pickSettled(r: { next(): number }, workspace: number, status: 200 | 402): KeyRecord | undefined {
    const list = status === 200 ? this.accepted[workspace]! : this.refused[workspace]!;
    for (let tries = 0; tries < 4 && list.length; tries++) {
      const rec = list[Math.floor(r.next() * list.length)]!;
      if (!rec.busy && rec.status === status) return rec;
    }
    return undefined;
  }

  /** A definite answer for a key: the first, or a new decision for a key refused before. */
  settle(rec: KeyRecord, status: 200 | 402, answer?: WireAnswer) {
    if (rec.status === 200) return; // replays are compared by the caller, never settle again
    if (status === 200) {
      if (rec.status === 402) this.refused[rec.workspace] = this.refused[rec.workspace]!.filter((x) => x !== rec);
      rec.status = 200;
      rec.answer = answer;
      this.accepted[rec.workspace]!.push(rec);
    } else if (rec.status === 0) {
      rec.status = 402;
      this.refused[rec.workspace]!.push(rec);
    }
  }

  difference(what: string) {
    this.differences.push(what);
  }

  /** Stamped with the time it arrived, to place it against the faults' windows and the servers' logs. */
  unexpectedReply(what: string) {
    this.unexpected.push(`${new Date().toISOString()} ${what}`);
  }
}

/** The same answer, field by field (the API's field order may differ from a stored answer's). */
export function sameAnswer(a: WireAnswer | undefined, b: WireAnswer | undefined): boolean {
  if (!a || !b) return false;
  return a.allowed === b.allowed && a.feature === b.feature && a.units === b.units && a.remaining === b.remaining && a.extrasRemaining === b.extrasRemaining && a.resetsAt === b.resetsAt;
}

export const show = (x: unknown) => JSON.stringify(x)?.slice(0, 300);
