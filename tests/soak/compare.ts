// The model comparison at the end of a soak, fit for a concurrent run: the answers of concurrent requests
// cannot be predicted one by one, but the books they leave must agree with every answer given. Each
// finding is added to the book's differences.
import { Prisma, type PrismaClient } from "../../lib/generated/prisma/client";
import { createClient, type Reply } from "../http/client";
import { sameAnswer, show, type Book, type KeyRecord, type WireAnswer } from "./book";
import type { Instance } from "./instance";
import { FEATURES, type SoakWorkspace } from "./seed";

const Dec = Prisma.Decimal;
type Dec = Prisma.Decimal;
const ZERO = new Dec(0);
const add = (m: Map<string, Dec>, k: string, v: Dec | string) => m.set(k, (m.get(k) ?? ZERO).plus(v));

/** Units a key's event must carry: as sent, or as the plan priced its costs (the answer says). */
const unitsOf = (rec: KeyRecord) => new Dec(rec.payload.units !== undefined ? String(rec.payload.units) : String(rec.answer!.units));

export async function compareWithDatabase(db: PrismaClient, book: Book, workspaces: SoakWorkspace[], instances: Instance[]) {
  const diff = (what: string) => book.difference(what);
  const indexOf = new Map(workspaces.map((w) => [w.workspaceId, w.index]));

  // 1. Every key has a definite answer: 200 or 402, after retrying 503s and cut connections.
  for (const rec of book.keys.values()) if (rec.status === 0) diff(`workspace ${rec.workspace} key ${rec.key}: no definite answer`);

  // 2. Keys answered 200 exist exactly once in UsageEvent with what was sent; keys answered 402 have no event.
  const events = await db.$queryRaw<{ id: string; workspaceId: string; key: string; feature: string; units: string; quotaUnits: string; extrasUnits: string; windowId: string }[]>`
    SELECT id, "workspaceId", "idempotencyKey" AS key, feature, units::text, "quotaUnits"::text AS "quotaUnits", "extrasUnits"::text AS "extrasUnits", "windowId"
    FROM "UsageEvent"`;
  // The balance the ledger shows after each event's debits (its last entry in the workspace's sequence).
  const debited = new Map(
    (await db.$queryRaw<{ causeId: string; balanceAfter: string }[]>`
      SELECT DISTINCT ON ("workspaceId", "causeId") "causeId", "balanceAfter"::text AS "balanceAfter"
      FROM "LedgerEntry" WHERE kind = 'debit' AND "causeType" = 'usage_event' ORDER BY "workspaceId", "causeId", seq DESC`).map((r) => [r.causeId, r.balanceAfter]),
  );
  const seen = new Map<KeyRecord, number>();
  /** Per window, each accepted event's quota units and what its answer said was left. */
  const answered = new Map<string, { key: string; quotaUnits: Dec; remaining: number }[]>();
  const dbUnits = new Map<string, Dec>();
  const windowQuotaUnits = new Map<string, Dec>();
  const extrasSpent = new Map<string, Dec>();
  let extrasPaid = 0;
  for (const e of events) {
    const ws = indexOf.get(e.workspaceId);
    if (new Dec(e.extrasUnits).gt(0)) extrasPaid++;
    const rec = book.keys.get(e.key);
    add(dbUnits, `${e.workspaceId}/${e.feature}`, e.units);
    add(windowQuotaUnits, e.windowId, e.quotaUnits);
    add(extrasSpent, e.workspaceId, e.extrasUnits);
    if (!rec || rec.workspace !== ws) {
      // Each owner's seat, claimed by the app when the workspace is made (lib/workspaces/seats.ts), not by the traffic.
      if (!rec && e.feature === "seats" && e.key.startsWith("seat:")) continue;
      diff(`event ${e.key} of workspace ${ws ?? e.workspaceId}: no such key was sent by this workspace`);
      continue;
    }
    seen.set(rec, (seen.get(rec) ?? 0) + 1);
    if (rec.status !== 200) diff(`workspace ${ws} key ${e.key}: answered ${rec.status || "never"} but has an event`);
    else if (e.feature !== rec.payload.feature || !new Dec(e.units).equals(unitsOf(rec))) diff(`workspace ${ws} key ${e.key}: event ${e.feature} ${e.units}, sent ${show(rec.payload)}`);
    else if (new Dec(e.extrasUnits).gt(0) && !(debited.has(e.id) && new Dec(debited.get(e.id)!).equals(String(rec.answer!.extrasRemaining)))) {
      diff(`workspace ${ws} key ${e.key}: paid ${e.extrasUnits} from extras and answered extrasRemaining ${rec.answer!.extrasRemaining}, the ledger's balance after its debit is ${debited.get(e.id) ?? "missing"}`);
    } else if (rec.answer && rec.answer.remaining !== null) {
      const list = answered.get(e.windowId) ?? [];
      list.push({ key: e.key, quotaUnits: new Dec(e.quotaUnits), remaining: rec.answer.remaining });
      answered.set(e.windowId, list);
    }
  }
  const bookUnits = new Map<string, Dec>();
  let accepted = 0;
  let refused = 0;
  for (const rec of book.keys.values()) {
    if (rec.status === 402) refused++;
    if (rec.status !== 200) continue;
    accepted++;
    const n = seen.get(rec) ?? 0;
    if (n !== 1) diff(`workspace ${rec.workspace} key ${rec.key}: answered 200, ${n} events`);
    add(bookUnits, `${workspaces[rec.workspace]!.workspaceId}/${rec.payload.feature}`, unitsOf(rec));
  }

  // 3. Accepted units per workspace and feature = the sum of the events' units.
  for (const ws of workspaces) {
    for (const feature of Object.keys(FEATURES)) {
      const k = `${ws.workspaceId}/${feature}`;
      const want = bookUnits.get(k) ?? ZERO;
      const got = dbUnits.get(k) ?? ZERO;
      if (!want.equals(got)) diff(`workspace ${ws.index} ${feature}: accepted ${want.toFixed()} units, events hold ${got.toFixed()}`);
    }
  }

  // 4. Per window: used = the sum of its events' quota units; a block or extras window never over its quota.
  const windows = await db.$queryRaw<{ id: string; workspaceId: string; feature: string; quota: string | null; used: string; overflow: string; periodStart: Date; periodEnd: Date }[]>`
    SELECT id, "workspaceId", feature, quota::text, used::text, overflow::text, "periodStart", "periodEnd" FROM "UsageWindow"`;
  // One window per workspace and feature at any time: two that overlap would each hand out the quota; and
  // no empty range (one that ends where it starts holds no event, and blocks opening a window there later).
  for (const w of windows) {
    if (w.periodStart >= w.periodEnd) diff(`workspace ${indexOf.get(w.workspaceId)} ${w.feature}: window ${w.id} ${w.periodStart.toISOString()}..${w.periodEnd.toISOString()} is empty`);
  }
  const byFeature = new Map<string, typeof windows>();
  for (const w of windows) byFeature.set(`${w.workspaceId}/${w.feature}`, [...(byFeature.get(`${w.workspaceId}/${w.feature}`) ?? []), w]);
  for (const list of byFeature.values()) {
    list.sort((a, b) => a.periodStart.getTime() - b.periodStart.getTime());
    for (let i = 1; i < list.length; i++) {
      const [a, b] = [list[i - 1]!, list[i]!];
      if (b.periodStart < a.periodEnd) diff(`workspace ${indexOf.get(a.workspaceId)} ${a.feature}: windows ${a.periodStart.toISOString()}..${a.periodEnd.toISOString()} (used ${a.used}) and ${b.periodStart.toISOString()}..${b.periodEnd.toISOString()} (used ${b.used}) overlap`);
    }
  }
  for (const w of windows) {
    const ws = indexOf.get(w.workspaceId);
    const sum = windowQuotaUnits.get(w.id) ?? ZERO;
    if (!new Dec(w.used).equals(sum)) diff(`workspace ${ws} window ${w.id} (${w.feature}): used ${w.used}, its events' quota units ${sum.toFixed()}`);
    if (w.overflow !== "soft" && w.quota !== null && new Dec(w.used).gt(w.quota)) diff(`workspace ${ws} window ${w.id} (${w.feature}, ${w.overflow}): used ${w.used} over its quota ${w.quota}`);
    if (w.quota !== null) serialHistory(w.id, new Dec(w.quota), answered.get(w.id) ?? [], (what) => diff(`workspace ${ws} window ${w.id} (${w.feature}): ${what}`));
  }

  // 5. Extras: what events spent = the debits in the ledger; the balance = the topups made - what events spent.
  const ledger = await db.$queryRaw<{ workspaceId: string; debits: string; total: string }[]>`
    SELECT "workspaceId", COALESCE(sum(units) FILTER (WHERE kind = 'debit'), 0)::text AS debits, sum(units)::text AS total
    FROM "LedgerEntry" GROUP BY "workspaceId"`;
  const accounts = await db.$queryRaw<{ workspaceId: string; balance: string }[]>`SELECT "workspaceId", balance::text FROM "ExtrasAccount"`;
  const lots = await db.$queryRaw<{ workspaceId: string; paymentIntentId: string | null; units: string; remaining: string }[]>`
    SELECT "workspaceId", "paymentIntentId", units::text, remaining::text FROM "ExtrasLot"`;
  const lotByIntent = new Map(lots.map((l) => [l.paymentIntentId, l]));
  const bought = new Map<string, Dec>();
  for (const t of book.topups) {
    const ws = workspaces[t.workspace]!;
    const lot = lotByIntent.get(t.paymentIntentId);
    if (!t.done) diff(`topup ${t.paymentIntentId}: never confirmed`);
    else if (!lot || lot.workspaceId !== ws.workspaceId || !new Dec(lot.units).equals(t.units)) diff(`topup ${t.paymentIntentId} of ${t.units} units: lot ${show(lot)}`);
    if (lot) add(bought, ws.workspaceId, lot.units);
  }
  if (lots.length !== book.topups.length) diff(`${lots.length} extras lots, ${book.topups.length} topups made`);
  for (const l of lots) if (new Dec(l.remaining).isNegative()) diff(`workspace ${indexOf.get(l.workspaceId)}: lot ${l.paymentIntentId} remaining ${l.remaining}`);
  const ledgerOf = new Map(ledger.map((l) => [l.workspaceId, l]));
  const balanceOf = new Map(accounts.map((a) => [a.workspaceId, new Dec(a.balance)]));
  for (const ws of workspaces) {
    const spent = extrasSpent.get(ws.workspaceId) ?? ZERO;
    const l = ledgerOf.get(ws.workspaceId);
    const debits = new Dec(l?.debits ?? 0).negated();
    if (!spent.equals(debits)) diff(`workspace ${ws.index}: events spent ${spent.toFixed()} extras, ledger debits ${debits.toFixed()}`);
    const want = (bought.get(ws.workspaceId) ?? ZERO).minus(spent);
    const balance = balanceOf.get(ws.workspaceId) ?? ZERO;
    if (!balance.equals(want) || !new Dec(l?.total ?? 0).equals(want)) diff(`workspace ${ws.index}: balance ${balance.toFixed()}, ledger sum ${l?.total ?? 0}, topups - spent = ${want.toFixed()}`);
  }

  // 6. A replay of every accepted key now returns its first answer (batches of 1000, on both instances).
  const clients = instances.map((i) => createClient(i.baseUrl, 4));
  try {
    let n = 0;
    for (const ws of workspaces) {
      const recs = book.accepted[ws.index]!;
      for (let from = 0; from < recs.length; from += 1000) {
        const part = recs.slice(from, from + 1000);
        const reply = await clients[n++ % clients.length]!.request("/api/v1/usage/batch", {
          key: ws.apiKey,
          body: { events: part.map((r) => ({ ...r.payload, idempotencyKey: r.key })) },
        }).catch((e: Error): Reply => ({ status: 0, headers: {}, text: e.message, json: undefined }));
        if (reply.status !== 200) {
          diff(`workspace ${ws.index}: replay batch answered ${reply.status} ${reply.text.slice(0, 200)}`);
          continue;
        }
        (reply.json.results as { status: number; answer?: WireAnswer; error?: unknown }[]).forEach((res, i) => {
          const rec = part[i]!;
          if (res.status !== 200 || !sameAnswer(res.answer, rec.answer)) diff(`workspace ${ws.index} key ${rec.key}: replay now answers ${res.status} ${show(res.answer ?? res.error)}, first ${show(rec.answer)}`);
        });
        book.counts.finalReplays += part.length;
      }
    }

    // 7. At rest, a check of every feature answers what the windows and the balance say.
    const now = Date.now();
    for (const ws of workspaces) {
      for (const [feature, spec] of Object.entries(FEATURES)) {
        const reply = await clients[n++ % clients.length]!.request("/api/v1/check", { key: ws.apiKey, body: { feature, units: 1 } });
        const limit = spec.limits[ws.tier]!;
        const w = windows.find((x) => x.workspaceId === ws.workspaceId && x.feature === feature && x.periodStart.getTime() <= now && x.periodEnd.getTime() > now);
        const left = limit === null ? null : Dec.max(new Dec(w?.quota ?? limit).minus(w?.used ?? 0), 0).toNumber();
        const balance = (balanceOf.get(ws.workspaceId) ?? ZERO).toNumber();
        if (reply.status !== 200 || reply.json.remaining !== left || reply.json.extrasRemaining !== balance) {
          diff(`workspace ${ws.index} ${feature}: check at rest answers ${reply.status} ${reply.text.slice(0, 200)}, books say remaining ${left}, extras ${balance}`);
        }
      }
    }
  } finally {
    for (const c of clients) c.close();
  }
  return { accepted, refused, extrasPaid, windows: windows.length };
}

/**
 * The answers of one window's accepted events must tell one serial history, whatever the concurrency: a
 * window's counter only grows, so the events answered with quota left (remaining > 0), ordered by what they
 * said was used (quota - remaining), must each have raised the counter by exactly their own quota units,
 * from 0. Two answers claiming the same counter, or a gap, mean an answer the books do not back.
 */
export function serialHistory(windowId: string, quota: Dec, events: { key: string; quotaUnits: Dec; remaining: number }[], diff: (what: string) => void) {
  const withQuotaLeft = events
    .filter((e) => e.remaining > 0)
    .map((e) => ({ ...e, usedAfter: quota.minus(String(e.remaining)) }))
    .sort((a, b) => a.usedAfter.comparedTo(b.usedAfter));
  let used = ZERO;
  for (const e of withQuotaLeft) {
    if (!used.plus(e.quotaUnits).equals(e.usedAfter)) {
      diff(`key ${e.key} answered remaining ${e.remaining} (used ${e.usedAfter.toFixed()}) after ${used.toFixed()} used before it plus its ${e.quotaUnits.toFixed()} quota units`);
      return;
    }
    used = e.usedAfter;
  }
}
