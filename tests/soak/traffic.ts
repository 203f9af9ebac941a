// The soak's traffic: lanes that each send a seeded random mix of single usage requests, batches, replays
// of earlier keys, conflicting keys, checks, limitation reads and topups for random workspaces to a random
// instance, and retry every request whose outcome is unknown (503, connection cut) with the same keys until
// it has a definite answer. Every answer is checked as it arrives and written into the book.
import type { PrismaClient } from "../../lib/generated/prisma/client";
import { createClient, type Reply } from "../http/client";
import { Book, isUnlimitedOrSoft, sameAnswer, show, type KeyRecord, type Payload, type WireAnswer } from "./book";
import type { Instance } from "./instance";
import { weighted, type Rng } from "./prng";
import { FEATURES, applyTopup, drawTopup, type SoakWorkspace } from "./seed";

/** How long one request may stay unanswered (503 or connection errors) before the soak gives up on it. */
const RETRY_LIMIT_MS = 120_000;
const MAX_BATCH = 200;

export interface Faults {
  /** True during a fault and a short grace period after it: 503s and cut connections are expected then. */
  expected(): boolean;
}

export interface TrafficOptions {
  book: Book;
  workspaces: SoakWorkspace[];
  instances: Instance[];
  db: PrismaClient;
  rng: Rng;
  runId: string;
  /** New events (idempotency keys) to send in all. */
  events: number;
  lanes: number;
  /** Epoch ms after which lanes stop starting new work. */
  deadline: number;
  faults: Faults;
}

type Kind = "new" | "replay" | "conflict" | "retry402" | "dup";
interface Item {
  rec: KeyRecord;
  payload: Payload;
  kind: Kind;
  /** For a duplicate inside a batch: the index of the key's first use in the same batch. */
  first?: number;
}
interface Result {
  status: number;
  answer?: WireAnswer;
  error?: { code: string; message: string };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function runTraffic(o: TrafficOptions): Promise<void> {
  const clients = o.instances.map((i) => createClient(i.baseUrl, o.lanes + 4));
  const { book } = o;
  let lanesSeq = 0;

  /** One attempt on a random instance; a cut or refused connection is status 0. */
  const attempt = (r: Rng, path: string, ws: SoakWorkspace, body: unknown, headers?: Record<string, string>): Promise<Reply> => {
    book.counts.requests++;
    return r
      .pick(clients)
      .request(path, { key: ws.apiKey, body, headers })
      .catch((e: Error): Reply => ({ status: 0, headers: {}, text: e.message, json: undefined }));
  };

  /** Sends until the reply is definite: 503, 5xx and connection errors are retried with the same body. */
  const deliver = async (r: Rng, path: string, ws: SoakWorkspace, body: unknown, events: number, headers?: Record<string, string>): Promise<Reply | undefined> => {
    const started = Date.now();
    for (;;) {
      const reply = await attempt(r, path, ws, body, headers);
      if (reply.status !== 0 && reply.status < 500) return reply;
      unavailable(reply, path);
      if (Date.now() - started > RETRY_LIMIT_MS) {
        book.unexpectedReply(`${path}: no definite answer within ${RETRY_LIMIT_MS} ms (last ${reply.status} ${reply.text.slice(0, 120)})`);
        return undefined;
      }
      book.counts.retried += events;
      await sleep(reply.status === 503 ? Number(reply.headers["retry-after"] ?? 1) * 1000 : 200);
    }
  };

  const unavailable = (reply: Reply, path: string) => {
    if (reply.status === 0) book.counts.connectionErrors++;
    else if (reply.status === 503) book.counts.unavailable++;
    const expected = (reply.status === 0 || (reply.status === 503 && reply.json?.error?.code === "billing_unavailable")) && o.faults.expected();
    if (!expected) book.unexpectedReply(`${path}: ${reply.status || "connection error"} outside a fault: ${reply.text.slice(0, 200)}`);
  };

  /** Checks one definite answer for a key against what the soak knows, and records it. */
  const judge = (ws: SoakWorkspace, item: Item, res: Result, firstResult?: Result) => {
    const { rec, kind } = item;
    const where = `workspace ${ws.index} key ${rec.key} (${kind} ${show(item.payload)})`;
    if (kind === "dup") {
      if (!firstResult || firstResult.status !== res.status || (res.status === 200 && !sameAnswer(firstResult.answer, res.answer))) {
        book.difference(`${where}: a duplicate in one batch answered ${res.status} ${show(res.answer ?? res.error)}, its first use ${firstResult?.status} ${show(firstResult?.answer ?? firstResult?.error)}`);
      }
      return;
    }
    if (kind === "replay") {
      book.counts.replays++;
      if (res.status !== 200 || !sameAnswer(rec.answer, res.answer)) book.difference(`${where}: replay answered ${res.status} ${show(res.answer ?? res.error)}, first answer ${show(rec.answer)}`);
      return;
    }
    if (kind === "conflict") {
      book.counts.conflicts++;
      if (res.status !== 409 || res.error?.code !== "idempotency_conflict") book.difference(`${where}: same key, other payload answered ${res.status} ${show(res.answer ?? res.error)}, not 409`);
      return;
    }
    if (res.status === 200) {
      const a = res.answer;
      const units = item.payload.units === undefined ? undefined : Number(item.payload.units);
      const wrong =
        !a || a.allowed !== true || a.feature !== item.payload.feature || (units !== undefined && a.units !== units) || !(a.units > 0) ||
        (FEATURES[item.payload.feature]!.limits[ws.tier] === null && a.remaining !== null);
      if (wrong) book.difference(`${where}: accepted with answer ${show(a)}`);
      book.settle(rec, 200, a);
    } else if (res.status === 402) {
      if (res.error?.code !== "quota_exhausted") book.difference(`${where}: 402 with ${show(res.error)}`);
      if (isUnlimitedOrSoft(item.payload.feature, ws.tier)) book.difference(`${where}: refused on a soft or unlimited feature: ${show(res.error)}`);
      book.settle(rec, 402);
    } else {
      book.unexpectedReply(`${where}: ${res.status} ${show(res.error ?? res.answer)}`);
    }
  };

  const single = async (r: Rng, ws: SoakWorkspace, item: Item) => {
    book.counts.singles++;
    const inHeader = r.chance(0.3);
    const body = { ...item.payload, ...(inHeader ? {} : { idempotencyKey: item.rec.key }) };
    const reply = await deliver(r, "/api/v1/usage", ws, body, 1, inHeader ? { "idempotency-key": item.rec.key } : undefined);
    if (reply) judge(ws, item, reply.status === 200 ? { status: 200, answer: reply.json } : { status: reply.status, error: reply.json?.error });
  };

  const batch = async (r: Rng, ws: SoakWorkspace, items: Item[]) => {
    book.counts.batches++;
    const results: (Result | undefined)[] = new Array(items.length);
    let pending = items.map((_, i) => i);
    const started = Date.now();
    while (pending.length) {
      const events = pending.map((i) => ({ ...items[i]!.payload, idempotencyKey: items[i]!.rec.key }));
      const reply = await deliver(r, "/api/v1/usage/batch", ws, { events }, events.length);
      if (!reply) return;
      if (reply.status !== 200 || !Array.isArray(reply.json?.results) || reply.json.results.length !== events.length) {
        book.unexpectedReply(`workspace ${ws.index}: batch answered ${reply.status} ${reply.text.slice(0, 200)}`);
        return;
      }
      const out = reply.json as { results: { index: number; idempotencyKey: string; status: number; answer?: WireAnswer; error?: Result["error"] }[]; accepted: number; refused: number; failed: number };
      const counted = { accepted: 0, refused: 0, failed: 0 };
      const again: number[] = [];
      out.results.forEach((res, j) => {
        const i = pending[j]!;
        if (res.index !== j || res.idempotencyKey !== items[i]!.rec.key) book.difference(`workspace ${ws.index}: batch result ${j} is for ${res.index}/${res.idempotencyKey}, not ${items[i]!.rec.key}`);
        if (res.status === 200) counted.accepted++;
        else if (res.error?.code === "quota_exhausted") counted.refused++;
        else counted.failed++;
        if (res.status === 503) again.push(i);
        else results[i] = { status: res.status, answer: res.answer, error: res.error };
      });
      if (counted.accepted !== out.accepted || counted.refused !== out.refused || counted.failed !== out.failed) {
        book.difference(`workspace ${ws.index}: batch totals ${show({ accepted: out.accepted, refused: out.refused, failed: out.failed })} but results say ${show(counted)}`);
      }
      if (again.length) {
        // An event the engine could not decide (the database went away mid-batch): resend it with its key.
        book.counts.unavailable++;
        book.counts.retried += again.length;
        if (!o.faults.expected()) book.unexpectedReply(`workspace ${ws.index}: batch events answered 503 outside a fault`);
        if (Date.now() - started > RETRY_LIMIT_MS) {
          book.unexpectedReply(`workspace ${ws.index}: batch events still 503 after ${RETRY_LIMIT_MS} ms`);
          return;
        }
        await sleep(1000);
      }
      pending = again;
    }
    items.forEach((item, i) => judge(ws, item, results[i]!, item.first === undefined ? undefined : results[item.first]));
  };

  const newItem = (r: Rng, ws: SoakWorkspace, lane: number, n: number): Item => {
    const payload = drawPayload(r);
    return { rec: book.newKey(ws.index, `${o.runId}-w${ws.index}-l${lane}-${n}`, payload), payload, kind: "new" };
  };

  /** An earlier key of this workspace: replayed as sent, sent with another payload, or a refused one sent again. */
  const oldItem = (r: Rng, ws: SoakWorkspace): Item | undefined => {
    const kind = weighted(r, { replay: 6, conflict: 3, retry402: 2 });
    const rec = book.pickSettled(r, ws.index, kind === "retry402" ? 402 : 200);
    if (!rec) return undefined;
    rec.busy = true;
    return { rec, kind, payload: kind === "conflict" ? otherPayload(rec.payload) : rec.payload };
  };

  const topup = async (r: Rng, ws: SoakWorkspace) => {
    const t = drawTopup(r, ws.index, `pi_${o.runId}_${ws.index}_${book.topups.length}`);
    const entry = { workspace: ws.index, paymentIntentId: t.paymentIntentId, units: t.units, done: false };
    book.topups.push(entry);
    const started = Date.now();
    for (;;) {
      try {
        await applyTopup(o.db, ws, t);
        entry.done = true;
        book.counts.topups++;
        return;
      } catch (e) {
        // The database may be restarting: the payment intent makes the retry safe.
        if (!o.faults.expected()) book.unexpectedReply(`topup ${t.paymentIntentId} failed outside a fault: ${(e as Error).message.slice(0, 200)}`);
        if (Date.now() - started > RETRY_LIMIT_MS) return;
        await sleep(500);
      }
    }
  };

  const lane = async (r: Rng) => {
    const id = lanesSeq++;
    let n = 0;
    while (book.counts.events < o.events && Date.now() < o.deadline) {
      const ws = r.pick(o.workspaces);
      const op = weighted(r, { batch: 40, single: 35, check: 12, limitations: 2, topup: 0.4 });
      if (op === "batch") {
        const size = Math.min(r.chance(0.7) ? r.int(50, MAX_BATCH) : r.int(1, 20), Math.max(1, o.events - book.counts.events));
        const items: Item[] = [];
        const firstOf = new Map<string, number>();
        for (let i = 0; i < size; i++) {
          const x = r.next();
          let item: Item | undefined;
          if (x < 0.04 && items.length) {
            const f = items[r.int(0, items.length - 1)]!;
            if (f.kind === "new") item = { rec: f.rec, payload: f.payload, kind: "dup", first: firstOf.get(f.rec.key) };
          } else if (x < 0.1) {
            item = oldItem(r, ws);
          }
          item ??= newItem(r, ws, id, n++);
          if (!firstOf.has(item.rec.key)) firstOf.set(item.rec.key, items.length);
          items.push(item);
        }
        await batch(r, ws, items);
        for (const it of items) it.rec.busy = false;
      } else if (op === "single") {
        const item = (r.chance(0.15) ? oldItem(r, ws) : undefined) ?? newItem(r, ws, id, n++);
        await single(r, ws, item);
        item.rec.busy = false;
      } else if (op === "check") {
        book.counts.checks++;
        const payload = drawPayload(r);
        const reply = await deliver(r, "/api/v1/check", ws, { feature: payload.feature, ...(payload.costs ? { costs: payload.costs } : { units: payload.units }) }, 0);
        if (!reply) continue;
        if (reply.status !== 200 || typeof reply.json?.allowed !== "boolean" || reply.json.feature !== payload.feature) {
          book.unexpectedReply(`workspace ${ws.index}: check ${show(payload)} answered ${reply.status} ${reply.text.slice(0, 200)}`);
        } else if (!reply.json.allowed && isUnlimitedOrSoft(payload.feature, ws.tier)) {
          book.difference(`workspace ${ws.index}: check ${show(payload)} not allowed on a soft or unlimited feature: ${reply.text.slice(0, 200)}`);
        }
      } else if (op === "limitations") {
        book.counts.limitations++;
        const reply = await deliverGet(r, ws);
        if (reply && reply.status !== 200) book.unexpectedReply(`workspace ${ws.index}: limitations answered ${reply.status} ${reply.text.slice(0, 200)}`);
      } else {
        await topup(r, ws);
      }
    }
  };

  const deliverGet = async (r: Rng, ws: SoakWorkspace): Promise<Reply | undefined> => {
    const started = Date.now();
    for (;;) {
      book.counts.requests++;
      const reply = await r.pick(clients).request("/api/v1/limitations", { key: ws.apiKey }).catch((e: Error): Reply => ({ status: 0, headers: {}, text: e.message, json: undefined }));
      if (reply.status !== 0 && reply.status < 500) return reply;
      unavailable(reply, "/api/v1/limitations");
      if (Date.now() - started > RETRY_LIMIT_MS) return undefined;
      await sleep(reply.status === 503 ? 1000 : 200);
    }
  };

  try {
    await Promise.all(Array.from({ length: o.lanes }, () => lane(o.rng.fork())));
  } finally {
    for (const c of clients) c.close();
  }
}

const ACTIONS = ["small", "medium", "large"];
const DECIMALS = ["0.5", "1.25", "2.125", "0.000001", "3.5", "7.000125"];

/**
 * A random event: every feature, integer and decimal units (as numbers and as strings), costs priced by the
 * plan. Events paid from extras are recorded one by one (each locks the ledger), so they are a smaller share.
 */
export function drawPayload(r: Rng): Payload {
  const f = weighted(r, { compute: 12, compute_costs: 4, storage: 6, api_calls: 26, exports: 26, tokens: 26 });
  if (f === "compute_costs") return { feature: "compute", costs: { action: r.pick(ACTIONS) } };
  if (f === "storage") {
    const d = r.pick(DECIMALS);
    return { feature: "storage", units: r.chance(0.5) ? d : Number(d) };
  }
  return { feature: f, units: r.chance(0.05) ? r.int(20, 60) : r.int(1, 10) };
}

/** The same key's payload changed: a conflicting request. */
function otherPayload(p: Payload): Payload {
  return p.units === undefined ? { feature: p.feature, units: 1 } : { feature: p.feature, units: String(Number(p.units) + 1) };
}
