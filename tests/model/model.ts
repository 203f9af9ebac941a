// The reference model of Tally's books: a small, deliberately naive, pure description of what the engine must
// do, written from the rules in DESIGN.md and nothing else. It keeps whole lists and recomputes by scanning,
// never caches, and shares no code with lib/. The model-based test (books.test.ts) runs random sequences of
// operations against it and against the real engine, and compares every answer and the state after every step.
//
// Rules modelled (DESIGN.md "Metering and quotas", "Extras and the ledger", "Subscriptions and Stripe"):
// - Windows: one per (feature, time range), never overlapping; an event counts in the window that holds its
//   time. day = UTC day; week = 7-day steps from the current period start (ISO weeks without a subscription);
//   month = months stepped from the billing cycle anchor, day clamped to short months; billing_period = the
//   current period while it holds the time, else months from the anchor. A new window starts no earlier than
//   the previous one ended and ends no later than the next one starts. It snapshots the plan's quota.
// - A recording fits the quota, or (extras overflow) takes the rest from the extras lots, soonest-expiring
//   first, only while the balance is positive; else it is refused and nothing changes. soft and unlimited
//   always fit. A replayed key answers as the first time; the same key with another payload is a conflict.
// - A recording may be backdated (a time at most 24 hours before now, else invalid_timestamp): it counts in the
//   window that holds that time, opened then if need be, and is decided against that window's quota.
// - A renewal (a new period start p) cuts week/month/billing_period windows at p, moves the events at or after
//   p into the new period's window, which takes the current plan's quota, and folds into it any window that
//   had opened at or after p. An upgrade raises the quotas of the windows open now; a downgrade waits for the
//   renewal.
// - Lots: a credit (topup, grant, adjustment) first settles the debt of negative lots, oldest first, and only
//   the rest is spendable. A refund claws back units in proportion to the cents refunded, never units that
//   already expired or were clawed before (a lot past its expiry is closed first, as the expiry run would); a
//   lot left negative is settled at once from the other spendable lots (soonest-expiring first). Expiry takes a
//   lot's positive remainder. balance = sum of lot remainders.
// - A dispute of a paid lot freezes its units in proportion to the disputed cents, never units already expired,
//   clawed or frozen, exactly like a clawback (a lot left negative is settled the same way). A won dispute gives
//   them back like a failed refund (an expired lot only gets its own debt cleared); a lost one keeps them out.
import { max, min, mulDivHalfUp, type Micros } from "./units";

export type Period = "day" | "week" | "month" | "billing_period";
export type Overflow = "block" | "extras" | "soft";

export interface Entitlement {
  limit: Micros | null;
  period: Period;
  overflow: Overflow;
}
export type Plan = Record<string, Entitlement>;

export interface Subscription {
  plan: Plan;
  anchor: number;
  periodStart: number;
  periodEnd: number;
  /** A downgrade booked for the period end. */
  pending: Plan | null;
}

export interface Window {
  feature: string;
  start: number;
  end: number;
  quota: Micros | null;
  overflow: Overflow;
  used: Micros;
}

export interface UsageEvent {
  key: string;
  payload: string;
  feature: string;
  time: number;
  window: Window;
  units: Micros;
  quotaUnits: Micros;
  extrasUnits: Micros;
  answer: Answer;
}

export interface Answer {
  allowed: boolean;
  feature: string;
  units: Micros;
  remaining: Micros | null;
  extrasRemaining: Micros;
  resetsAt: number;
}

export interface Lot {
  /** Index in creation order: how the test matches the model's lots to the engine's. */
  index: number;
  source: "topup" | "grant" | "adjustment";
  units: Micros;
  remaining: Micros;
  createdAt: number;
  expiresAt: number | null;
  expired: boolean;
  amountCents: number | null;
  refundedCents: number;
  /** Units that left this lot by expiry, a refund or a dispute: a later refund or dispute never takes them again. */
  expiredOrClawed: Micros;
}

export interface AutoTopUp {
  threshold: Micros;
  monthlyCap: number;
  pack: { units: Micros; cents: number; days: number };
}

export type Outcome<T> = { ok: T } | { error: string };

const DAY = 86_400_000;
const WEEK = 7 * DAY;
const ISO_WEEK_BASE = Date.UTC(1970, 0, 5);

/** `anchor` moved by `months` months, its day of month clamped to the target month's last day. */
export function addMonths(anchor: number, months: number): number {
  const a = new Date(anchor);
  const y = a.getUTCFullYear();
  const m = a.getUTCMonth() + months;
  const last = new Date(Date.UTC(y, m + 1, 0)).getUTCDate();
  return Date.UTC(y, m, Math.min(a.getUTCDate(), last), a.getUTCHours(), a.getUTCMinutes(), a.getUTCSeconds(), a.getUTCMilliseconds());
}

/** The anchored month [start, end) that holds t: counted up from far enough before, never estimated. */
export function anchoredMonth(anchor: number, t: number): [number, number] {
  let k = Math.floor((t - anchor) / (31 * DAY)) - 1;
  while (addMonths(anchor, k + 1) <= t) k++;
  while (addMonths(anchor, k) > t) k--;
  return [addMonths(anchor, k), addMonths(anchor, k + 1)];
}

export function bounds(period: Period, t: number, sub: Subscription): [number, number] {
  switch (period) {
    case "day": {
      const s = Math.floor(t / DAY) * DAY;
      return [s, s + DAY];
    }
    case "week": {
      const base = sub.periodStart ?? ISO_WEEK_BASE;
      const s = base + Math.floor((t - base) / WEEK) * WEEK;
      return [s, s + WEEK];
    }
    case "month":
      return anchoredMonth(sub.anchor, t);
    case "billing_period":
      if (sub.periodStart <= t && t < sub.periodEnd) return [sub.periodStart, sub.periodEnd];
      return anchoredMonth(sub.anchor, t);
  }
}

export class BooksModel {
  now: number;
  sub: Subscription;
  windows: Window[] = [];
  events = new Map<string, UsageEvent>();
  lots: Lot[] = [];
  autoTopUp: AutoTopUp | null = null;
  /** Behind on payment (past_due, degraded, unpaid): no auto top-up starts. */
  overdue = false;
  /** Set by a debit that leaves the balance under the threshold; an auto top-up decision clears it. */
  crossed = false;
  /** The UTC month ("2027-01") of each auto top-up started. */
  purchases: string[] = [];

  constructor(now: number, sub: Subscription) {
    this.now = now;
    this.sub = sub;
  }

  // ------------------------------------------------------------ balances

  get balance(): Micros {
    return this.lots.reduce((s, l) => s + l.remaining, 0n);
  }

  /** Lots that can pay now, in spending order: soonest expiry first, never-expiring last, then oldest. */
  spendable(): Lot[] {
    return this.lots
      .filter((l) => l.remaining > 0n && !l.expired && (l.expiresAt === null || l.expiresAt > this.now))
      .sort((a, b) => (a.expiresAt ?? Infinity) - (b.expiresAt ?? Infinity) || a.createdAt - b.createdAt);
  }

  usable(): Micros {
    const b = this.balance;
    if (b <= 0n) return 0n;
    return min(b, this.spendable().reduce((s, l) => s + l.remaining, 0n));
  }

  /** Takes `units` from the spendable lots in spending order; the caller has checked they suffice. */
  private take(units: Micros): void {
    let need = units;
    for (const lot of this.spendable()) {
      if (need <= 0n) break;
      const t = min(lot.remaining, need);
      lot.remaining -= t;
      need -= t;
    }
    if (need > 0n) throw new Error("model: took more than the lots hold");
  }

  // ------------------------------------------------------------ windows and usage

  private active(feature: string, t: number): Window | undefined {
    return this.windows.find((w) => w.feature === feature && w.start <= t && t < w.end);
  }

  private open(feature: string, t: number): Window {
    const ent = this.sub.plan[feature];
    if (!ent) throw new Error(`model: no entitlement ${feature}`);
    let [start, end] = bounds(ent.period, t, this.sub);
    const mine = this.windows.filter((w) => w.feature === feature);
    const prevEnd = Math.max(-Infinity, ...mine.filter((w) => w.start <= t).map((w) => w.end));
    if (prevEnd > start) start = prevEnd;
    const nextStart = Math.min(Infinity, ...mine.filter((w) => w.start > t).map((w) => w.start));
    if (nextStart < end) end = nextStart;
    const w: Window = { feature, start, end, quota: ent.limit, overflow: ent.overflow, used: 0n };
    this.windows.push(w);
    return w;
  }

  record(feature: string, units: Micros, key: string, payload: string, time = this.now): Outcome<Answer> {
    const earlier = this.events.get(key);
    if (earlier) return earlier.payload === payload ? { ok: earlier.answer } : { error: "idempotency_conflict" };
    if (time < this.now - DAY || time > this.now) return { error: "invalid_timestamp" };
    const w = this.active(feature, time) ?? this.open(feature, time);
    let quotaUnits = units;
    let extrasUnits = 0n;
    if (w.quota !== null && w.overflow !== "soft" && w.used + units > w.quota) {
      if (w.overflow === "block") return { error: "quota_exhausted" };
      quotaUnits = max(w.quota - w.used, 0n);
      extrasUnits = units - quotaUnits;
      if (extrasUnits > this.usable()) return { error: "quota_exhausted" };
      this.take(extrasUnits);
      if (this.autoTopUp && this.balance < this.autoTopUp.threshold) this.crossed = true;
    }
    w.used += quotaUnits;
    const answer: Answer = {
      allowed: true,
      feature,
      units,
      remaining: w.quota === null ? null : max(w.quota - w.used, 0n),
      extrasRemaining: this.balance,
      resetsAt: w.end,
    };
    this.events.set(key, { key, payload, feature, time, window: w, units, quotaUnits, extrasUnits, answer });
    return { ok: answer };
  }

  /** Would `units` be accepted now? Nothing changes. */
  check(feature: string, units: Micros): boolean {
    const w = this.active(feature, this.now);
    const ent = this.sub.plan[feature]!;
    const quota = w ? w.quota : ent.limit;
    const used = w ? w.used : 0n;
    const overflow = w ? w.overflow : ent.overflow;
    if (quota === null || overflow === "soft") return true;
    const remaining = max(quota - used, 0n);
    if (units <= remaining) return true;
    return overflow === "extras" && units - remaining <= this.usable();
  }

  /**
   * Auto top-up: one purchase when it is on, the balance is under the threshold, a debit crossed it since the
   * last purchase, the workspace is not behind on payment and the month's cap allows. The purchase is paid at
   * once here, so none is ever in flight. Returns the new lot, if one was bought.
   */
  maybeAutoTopUp(): Lot | null {
    const a = this.autoTopUp;
    if (!a || this.balance >= a.threshold || this.overdue || !this.crossed) return null;
    const month = new Date(this.now).toISOString().slice(0, 7);
    if (this.purchases.filter((m) => m === month).length >= a.monthlyCap) return null;
    this.crossed = false;
    this.purchases.push(month);
    return this.credit({ source: "topup", units: a.pack.units, expiresAt: this.now + a.pack.days * DAY, amountCents: a.pack.cents });
  }

  // ------------------------------------------------------------ plan and period

  upgrade(plan: Plan): void {
    this.sub.plan = plan;
    this.sub.pending = null;
    this.raiseOpenWindows();
  }

  /** Booked for the period end: nothing changes now. */
  downgrade(plan: Plan): void {
    this.sub.pending = plan;
  }

  private raiseOpenWindows(): void {
    for (const w of this.windows) {
      if (!(w.start <= this.now && this.now < w.end)) continue;
      const ent = this.sub.plan[w.feature];
      if (!ent) continue;
      const raises = ent.limit === null ? w.quota !== null : w.quota !== null && ent.limit > w.quota;
      if (raises) Object.assign(w, { quota: ent.limit, overflow: ent.overflow });
    }
  }

  /** Stripe renewed the subscription: a new period [p, e), with a booked downgrade taking effect. */
  renew(p: number, e: number): void {
    if (this.sub.pending) {
      this.sub.plan = this.sub.pending;
      this.sub.pending = null;
    }
    this.sub.periodStart = p;
    this.sub.periodEnd = e;
    for (const feature of new Set(this.windows.map((w) => w.feature))) {
      const ent = this.sub.plan[feature];
      if (!ent || ent.period === "day") continue;
      const mine = this.windows.filter((w) => w.feature === feature);
      const moved: UsageEvent[] = [];
      for (const w of mine) {
        if (w.start < p && w.end > p) {
          w.end = p;
          for (const ev of this.events.values()) {
            if (ev.window === w && ev.time >= p) {
              w.used -= ev.quotaUnits;
              moved.push(ev);
            }
          }
        }
      }
      // Windows that opened at or after p (before the renewal was known) fold into the new period's window.
      const [ns, ne] = bounds(ent.period, p, this.sub);
      const folded = mine.filter((w) => w.start >= p && w.start < ne);
      for (const w of folded) {
        for (const ev of this.events.values()) if (ev.window === w) moved.push(ev);
        this.windows.splice(this.windows.indexOf(w), 1);
      }
      if (!moved.length && !folded.length) continue;
      const end = Math.min(ne, ...mine.filter((w) => w.start >= ne).map((w) => w.start));
      const nw: Window = { feature, start: ns, end, quota: ent.limit, overflow: ent.overflow, used: 0n };
      this.windows.push(nw);
      for (const ev of moved) {
        ev.window = nw;
        nw.used += ev.quotaUnits;
      }
    }
    this.raiseOpenWindows();
  }

  // ------------------------------------------------------------ extras

  /** A new lot (topup, grant or credit adjustment); its units settle earlier debt before they can be spent. */
  credit(input: { source: Lot["source"]; units: Micros; expiresAt: number | null; amountCents?: number | null }): Lot {
    const lot: Lot = {
      index: this.lots.length, source: input.source, units: input.units, remaining: input.units, createdAt: this.now,
      expiresAt: input.expiresAt, expired: false, amountCents: input.amountCents ?? null, refundedCents: 0, expiredOrClawed: 0n,
    };
    this.lots.push(lot);
    for (const debt of this.lots.filter((l) => l.remaining < 0n).sort((a, b) => a.createdAt - b.createdAt)) {
      const pay = min(-debt.remaining, lot.remaining);
      if (pay <= 0n) break;
      debt.remaining += pay;
      lot.remaining -= pay;
    }
    return lot;
  }

  /** An operator's debit: from the spendable lots, refused beyond what they hold. */
  adjustDebit(units: Micros): Outcome<true> {
    const spendable = this.spendable().reduce((s, l) => s + l.remaining, 0n);
    if (units > spendable) return { error: "invalid_request" };
    this.take(units);
    return { ok: true };
  }

  refund(lot: Lot, cents: number): Outcome<Micros> {
    if (lot.amountCents === null) return { error: "invalid_request" };
    if (cents <= 0 || lot.refundedCents + cents > lot.amountCents) return { error: "invalid_request" };
    this.expireIfDue(lot);
    const proportional =
      mulDivHalfUp(lot.units, lot.refundedCents + cents, lot.amountCents) - mulDivHalfUp(lot.units, lot.refundedCents, lot.amountCents);
    const claw = min(proportional, max(lot.units - lot.expiredOrClawed, 0n));
    lot.refundedCents += cents;
    lot.expiredOrClawed += claw;
    lot.remaining -= claw;
    this.settleAll();
    return { ok: claw };
  }

  /**
   * A refund that failed or was canceled gives back what it clawed, once; a lot the expiry run already closed
   * only gets its own debt cleared, so expired units never become spendable again. Other lots' debt is then settled.
   */
  giveBack(lot: Lot, cents: number, clawed: Micros): Micros {
    const units = lot.expired ? min(clawed, max(-lot.remaining, 0n)) : clawed;
    lot.remaining += units;
    lot.expiredOrClawed -= units;
    lot.refundedCents -= Math.min(cents, lot.refundedCents);
    this.settleAll();
    return units;
  }

  /** A dispute of a paid lot for `cents`: its units frozen in proportion, as a clawback would take them. */
  dispute(lot: Lot, cents: number): Micros {
    this.expireIfDue(lot);
    const paid = lot.amountCents ?? 0;
    const proportional = paid > 0 ? mulDivHalfUp(lot.units, Math.min(Math.max(cents, 0), paid), paid) : lot.units;
    const freeze = min(proportional, max(lot.units - lot.expiredOrClawed, 0n));
    lot.expiredOrClawed += freeze;
    lot.remaining -= freeze;
    this.settleAll();
    return freeze;
  }

  /** A won dispute gives back what it froze, once; an expired lot only gets its own debt cleared. */
  disputeWon(lot: Lot, frozen: Micros): Micros {
    const units = lot.expired ? min(frozen, max(-lot.remaining, 0n)) : frozen;
    lot.remaining += units;
    lot.expiredOrClawed -= units;
    this.settleAll();
    return units;
  }

  /** Every lot in debt, oldest first, paid from the spendable lots, soonest-expiring first. */
  private settleAll(): void {
    for (const debt of this.lots.filter((l) => l.remaining < 0n).sort((a, b) => a.createdAt - b.createdAt)) {
      for (const payer of this.spendable()) {
        if (debt.remaining >= 0n) break;
        const pay = min(-debt.remaining, payer.remaining);
        payer.remaining -= pay;
        debt.remaining += pay;
      }
    }
  }

  expire(): number {
    let n = 0;
    for (const lot of this.lots) if (this.expireIfDue(lot)) n++;
    return n;
  }

  /**
   * Closes a lot past its expiry that is not closed yet: its positive remainder expires. The expiry run does it,
   * and so do a refund and a dispute of that lot first, so what they take never depends on whether the run came first.
   */
  private expireIfDue(lot: Lot): boolean {
    if (lot.expired || lot.expiresAt === null || lot.expiresAt > this.now) return false;
    lot.expired = true;
    if (lot.remaining > 0n) {
      lot.expiredOrClawed += lot.remaining;
      lot.remaining = 0n;
    }
    return true;
  }
}
