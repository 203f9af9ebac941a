import type pg from "pg";

// Concurrent executions of one hot statement, sent as one round trip. On these machines a round trip to
// the database costs a request more CPU than everything else the engine does for it (the socket write
// wakes the server process), so under load the requests queued behind a statement in flight go
// together: one statement over their parameters unnested, each call's rows picked out by its position.
// At low load nothing waits: a lane with a free slot sends a call at once, alone, as the plain statement.
//
// A statement to coalesce is a SELECT (it becomes a LATERAL subquery); one that writes does so through a
// function it calls, as the metering statement does. The calls of a batch share one statement, hence one
// transaction. A lane that writes orders its calls by what they lock (the metering statement: by window), so
// two batches take their row locks in one order and do not wait for each other in a cycle. If a batch fails
// (a unique violation, say, or a deadlock the ordering could not see), each of its calls runs again alone
// and gets its own answer or its own error, exactly as without batching.

export interface Lane {
  /** Calls with the same key share batches, e.g. one window's recordings, or every usage-state read. */
  key: string;
  /** Statements of this lane in flight at once; more calls wait and go together. */
  inFlight: number;
  /** Most calls in one statement. */
  maxBatch: number;
  /**
   * What the call locks (the metering statement: its window). A batch runs its calls in this order, so two
   * batches take their locks in one order; and calls with one key are never in two statements at once: the
   * later ones wait (the row lock would make them wait anyway) and go together in the next, so a burst on
   * one window holds one pooled connection and leaves the others to the rest.
   */
  order?: string;
  /**
   * Within one `order` key, the order a batch runs its calls in (the metering statement: the time each counts
   * at, so a feature's windows are locked oldest first, as a period reset locks them, when a batch's events
   * fall on both sides of a window's end).
   */
  sequence?: string;
}

type Param = string | number | boolean | Date | null;

interface Call {
  values: Param[];
  order: string;
  sequence: string;
  resolve(rows: object[]): void;
  reject(e: unknown): void;
}

interface Queue {
  active: number;
  waiting: Call[];
  /** The `order` keys of the calls in flight: a key's next calls wait for them (see Lane.order). */
  busy: Set<string>;
}

export type RunStatement = (name: string, text: string, values: unknown[]) => Promise<object[]>;

// On the pool under a registered symbol, so every instance of this module (the app's bundles each may
// hold one) shares one set of lanes per pool and a lane's in-flight bound holds process-wide.
const QUEUES = Symbol.for("tally.coalesceQueues");
type WithQueues = { [QUEUES]?: Map<string, Queue> };

/**
 * Runs `text` with `values` in `lane`: at once when a slot is free, else with the calls waiting beside it.
 * A name stands for one text, as it does for a prepared statement.
 */
export function coalesced<R extends object>(pool: pg.Pool, run: RunStatement, lane: Lane, name: string, text: string, values: unknown[]): Promise<R[]> {
  const holder = pool as WithQueues;
  const byKey = (holder[QUEUES] ??= new Map());
  const key = `${name}\u0000${lane.key}`;
  let queue = byKey.get(key);
  if (!queue) byKey.set(key, (queue = { active: 0, waiting: [], busy: new Set() }));
  const q = queue;
  return new Promise<R[]>((resolve, reject) => {
    q.waiting.push({ values: values.map(toParam), order: lane.order ?? "", sequence: lane.sequence ?? "", resolve: resolve as (rows: object[]) => void, reject });
    pump(byKey, key, q, run, lane, name, text);
  });
}

/** Sends batches while the lane has a free slot and calls that may go. */
function pump(byKey: Map<string, Queue>, key: string, q: Queue, run: RunStatement, lane: Lane, name: string, text: string) {
  while (q.active < lane.inFlight) {
    const batch = take(q, lane);
    if (!batch.length) break;
    q.active++;
    if (lane.order !== undefined) for (const c of batch) q.busy.add(c.order);
    const sent = batch.length === 1 ? runAlone(run, name, text, batch[0]!) : runBatch(run, name, text, batch);
    void sent.finally(() => {
      q.active--;
      for (const c of batch) q.busy.delete(c.order);
      if (q.active === 0 && !q.waiting.length) byKey.delete(key);
      else pump(byKey, key, q, run, lane, name, text);
    });
  }
}

/** The next batch: up to maxBatch waiting calls in arrival order, less those whose order key is in flight. */
function take(q: Queue, lane: Lane): Call[] {
  if (lane.order === undefined || !q.busy.size) return q.waiting.splice(0, lane.maxBatch);
  const batch: Call[] = [];
  const rest: Call[] = [];
  for (const c of q.waiting) (batch.length < lane.maxBatch && !q.busy.has(c.order) ? batch : rest).push(c);
  q.waiting = rest;
  return batch;
}

async function runAlone(run: RunStatement, name: string, text: string, call: Call) {
  try {
    call.resolve(await run(name, text, call.values));
  } catch (e) {
    call.reject(e);
  }
}

async function runBatch(run: RunStatement, name: string, text: string, batch: Call[]) {
  batch.sort((a, b) => compare(a.order, b.order) || compare(a.sequence, b.sequence));
  const width = batch[0]!.values.length;
  const columns = Array.from({ length: width }, (_, i) => batch.map((c) => textOf(c.values[i]!)));
  let rows: (object & { tally_ord: string | number })[];
  try {
    rows = (await run(`${name}_n`, batched(text, width), columns)) as typeof rows;
  } catch (e) {
    // A statement that cannot be batched at all (class 42: syntax, types) is a bug worth a line in the log.
    if (/^42/.test(String((e as { code?: unknown }).code))) console.error(`[billing] batched ${name} failed:`, (e as Error).message);
    // Which call failed, and whether the others would have, is for each to find out alone.
    await Promise.all(batch.map((call) => runAlone(run, name, text, call)));
    return;
  }
  const out: object[][] = batch.map(() => []);
  for (const { tally_ord: ord, ...row } of rows) out[Number(ord) - 1]!.push(row);
  batch.forEach((call, i) => call.resolve(out[i]!));
}

// The statement once per row of its parameters unnested in order; $k becomes that row's k-th value, as
// text (the statement casts its parameters where their type is not text, which casting from text keeps).
function batched(text: string, width: number): string {
  const params = Array.from({ length: width }, (_, i) => `$${i + 1}::text[]`).join(", ");
  const names = Array.from({ length: width }, (_, i) => `p${i + 1}`).join(", ");
  const inner = text.replace(/\$(\d+)/g, (_, k: string) => `b.p${k}`);
  return `SELECT b.tally_ord, q.* FROM unnest(${params}) WITH ORDINALITY AS b(${names}, tally_ord)
    CROSS JOIN LATERAL (${inner}) AS q`;
}

function toParam(v: unknown): Param {
  if (v === undefined) return null;
  if (v === null || typeof v === "string" || typeof v === "number" || typeof v === "boolean" || v instanceof Date) return v;
  throw new Error("a coalesced statement takes scalar parameters only");
}

const compare = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

const textOf = (v: Param): string | null => (v === null ? null : v instanceof Date ? v.toISOString() : String(v));
