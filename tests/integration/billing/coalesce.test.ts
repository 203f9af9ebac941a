import pg from "pg";
import { afterAll, describe, expect, it } from "vitest";
import { coalesced, type Lane, type RunStatement } from "@/lib/billing/throughput/coalesce";
import { POOL } from "./helpers";

const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL!, max: POOL });
afterAll(() => pool.end());

/** Runs statements on the pool and counts the round trips. */
function counting() {
  const sent: number[] = [];
  const run: RunStatement = async (_name, text, values) => {
    sent.push(Array.isArray(values[0]) ? values[0].length : 1);
    return (await pool.query(text, values)).rows;
  };
  return { run, sent };
}

const lane = (key = crypto.randomUUID()): Lane => ({ key, inFlight: 1, maxBatch: 50 });

/** A table of its own and a function writing to it, as the engine's metering statement writes through one. */
async function withPutFunction(fn: (t: { name: string; put: string }) => Promise<void>) {
  const name = `coalesce_${crypto.randomUUID().slice(0, 8)}`;
  await pool.query(`CREATE TABLE ${name} (k int PRIMARY KEY, v text)`);
  await pool.query(`CREATE FUNCTION ${name}_put(p_k int, p_v text) RETURNS int LANGUAGE sql AS 'INSERT INTO ${name} (k, v) VALUES (p_k, p_v) RETURNING k'`);
  try {
    await fn({ name, put: `SELECT ${name}_put($1::int, $2::text) AS k` });
  } finally {
    await pool.query(`DROP FUNCTION ${name}_put(int, text)`);
    await pool.query(`DROP TABLE ${name}`);
  }
}

describe("coalesced statements", () => {
  it("answer 300 concurrent calls each with its own rows, in far fewer round trips", async () => {
    const { run, sent } = counting();
    const l = lane();
    // Every third call has no row; the others two rows each, both its own.
    const sql = `SELECT $1::int * 2 AS doubled, $2::text AS label, g AS n FROM generate_series(1, 2) AS g WHERE $1::int % 3 <> 0`;
    const answers = await Promise.all(Array.from({ length: 300 }, (_, i) => coalesced<{ doubled: number; label: string; n: number }>(pool, run, l, "t_double", sql, [i, `call ${i}`])));
    answers.forEach((rows, i) => {
      expect(rows).toEqual(i % 3 === 0 ? [] : [1, 2].map((n) => ({ doubled: i * 2, label: `call ${i}`, n })));
    });
    expect(sent.reduce((a, b) => a + b, 0)).toBe(300);
    // The first goes alone at once; the rest wait for it and go 50 at a time.
    expect(sent[0]).toBe(1);
    expect(sent.length).toBeLessThanOrEqual(8);
  });

  it("a call that fails fails alone: the others of its batch get their answers", async () => {
    const { run, sent } = counting();
    const l = lane();
    const results = await Promise.allSettled(Array.from({ length: 40 }, (_, i) => coalesced<{ q: number }>(pool, run, l, "t_div", `SELECT 100 / $1::int AS q`, [i % 10])));
    results.forEach((r, i) => {
      if (i % 10 === 0) expect(r).toMatchObject({ status: "rejected", reason: { code: "22012" } });
      else expect(r).toEqual({ status: "fulfilled", value: [{ q: Math.trunc(100 / (i % 10)) }] });
    });
    expect(sent.some((n) => n > 1)).toBe(true);
  });

  it("keeps nothing of a batch that failed, and then applies each call once", () =>
    withPutFunction(async (t) => {
      const { run, sent } = counting();
      const l = lane();
      // Keys 0..29, each sent twice: a batch holding both uses of a key fails as a whole, then each call runs alone.
      const results = await Promise.allSettled(Array.from({ length: 60 }, (_, i) => coalesced(pool, run, l, `t_${t.name}`, t.put, [i % 30, `v${i}`])));
      const fulfilled = results.filter((r) => r.status === "fulfilled");
      const rejected = results.filter((r) => r.status === "rejected");
      // Had a failed batch kept any row, the first use of that key would have been refused too.
      expect(fulfilled).toHaveLength(30);
      expect(rejected.map((r) => (r as PromiseRejectedResult).reason.code)).toEqual(Array(30).fill("23505"));
      expect(Number((await pool.query<{ n: string }>(`SELECT count(*) AS n FROM ${t.name}`)).rows[0]!.n)).toBe(30);
      // Some batch did go whole: more than one call in a statement.
      expect(sent.some((n) => n > 1)).toBe(true);
    }));

  it("batches writes: 200 calls of a writing function, each applied once, in a few statements", () =>
    withPutFunction(async (t) => {
      const { run, sent } = counting();
      const l = lane();
      const answers = await Promise.all(Array.from({ length: 200 }, (_, i) => coalesced<{ k: number }>(pool, run, l, `t_${t.name}`, t.put, [i, `v${i}`])));
      expect(answers).toEqual(Array.from({ length: 200 }, (_, i) => [{ k: i }]));
      expect(sent.length).toBeLessThanOrEqual(6);
      const rows = (await pool.query<{ k: number; v: string }>(`SELECT k, v FROM ${t.name} ORDER BY k`)).rows;
      expect(rows).toEqual(Array.from({ length: 200 }, (_, i) => ({ k: i, v: `v${i}` })));
    }));

  it("lets `inFlight` statements of a lane run at once, never more", async () => {
    let running = 0;
    let most = 0;
    const run: RunStatement = async (_n, text, values) => {
      most = Math.max(most, ++running);
      try {
        return (await pool.query(text, values)).rows;
      } finally {
        running--;
      }
    };
    const l: Lane = { key: crypto.randomUUID(), inFlight: 3, maxBatch: 4 };
    await Promise.all(Array.from({ length: 100 }, (_, i) => coalesced(pool, run, l, "t_sleep", `SELECT pg_sleep(0.005), $1::int AS i`, [i])));
    expect(most).toBe(3);
  });

  it("orders each batch by what its calls lock, and never has one order key in two statements at once", async () => {
    const inFlight = new Map<string, number>();
    let overlaps = 0;
    const batches: string[][] = [];
    const run: RunStatement = async (_n, text, values) => {
      const keys = Array.isArray(values[0]) ? (values[0] as string[]) : [values[0] as string];
      batches.push(keys);
      for (const k of new Set(keys)) {
        if (inFlight.get(k)) overlaps++;
        inFlight.set(k, (inFlight.get(k) ?? 0) + 1);
      }
      try {
        return (await pool.query(text, values)).rows;
      } finally {
        for (const k of new Set(keys)) inFlight.set(k, inFlight.get(k)! - 1);
      }
    };
    const key = crypto.randomUUID();
    // Five windows, 200 calls arriving in an order that is not theirs.
    const order = (i: number) => `w${(i * 7) % 5}`;
    const answers = await Promise.all(
      Array.from({ length: 200 }, (_, i) =>
        coalesced<{ w: string; i: number }>(pool, run, { key, inFlight: 3, maxBatch: 16, order: order(i) }, "t_order", `SELECT $1::text AS w, $2::int AS i, pg_sleep(0.001)`, [order(i), i]),
      ),
    );
    answers.forEach((rows, i) => expect(rows).toEqual([{ w: order(i), i, pg_sleep: "" }]));
    expect(overlaps).toBe(0);
    for (const b of batches) expect(b).toEqual([...b].sort());
    // Several windows did share statements.
    expect(batches.some((b) => new Set(b).size > 1)).toBe(true);
  });
  it("runs one order key's calls by their sequence, so a batch locks one feature's windows oldest first", async () => {
    const batches: [string, string][][] = [];
    const run: RunStatement = async (_n, text, values) => {
      const [orders, sequences] = Array.isArray(values[0]) ? (values as string[][]) : [[values[0] as string], [values[1] as string]];
      batches.push(orders!.map((o, i) => [o, sequences![i]!]));
      return (await pool.query(text, values)).rows;
    };
    const key = crypto.randomUUID();
    // Two features' recordings, each arriving latest first.
    const call = (i: number) => {
      const order = `f${i % 2}`;
      const sequence = new Date(Date.UTC(2026, 10, 20) - i * 1000).toISOString();
      return coalesced(pool, run, { key, inFlight: 1, maxBatch: 64, order, sequence }, "t_sequence", `SELECT $1::text AS f, $2::text AS at`, [order, sequence]);
    };
    await Promise.all(Array.from({ length: 100 }, (_, i) => call(i)));
    const byOrderThenSequence = (b: [string, string][]) => [...b].sort(([o1, s1], [o2, s2]) => (o1 === o2 ? (s1 < s2 ? -1 : 1) : o1 < o2 ? -1 : 1));
    for (const b of batches) expect(b).toEqual(byOrderThenSequence(b));
    expect(batches.some((b) => b.length > 2)).toBe(true);
  });
});
