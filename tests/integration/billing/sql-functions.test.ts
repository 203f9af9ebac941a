import { afterAll, describe, expect, it } from "vitest";
import { closeTestDb, testDb } from "./helpers";

afterAll(closeTestDb);

describe("the engine's database functions", () => {
  // PostgreSQL (before 18) parses and plans the body of a LANGUAGE sql function on every call it cannot
  // inline, and it never inlines one that writes. A PL/pgSQL function keeps its plans per connection. The
  // threshold marks, called on every recording, cost 113 µs a call as SQL against 20 µs as PL/pgSQL.
  // Volatility stands for writing here: a function that writes must be volatile (PostgreSQL refuses a write in
  // a STABLE or IMMUTABLE function), and the read-only helpers are declared STABLE, which lets them be inlined.
  it("that are volatile (every one that writes) are PL/pgSQL, so their plans are kept per connection", async () => {
    const rows = await testDb().$queryRaw<{ name: string; language: string }[]>`
      SELECT p.proname::text AS name, l.lanname::text AS language
      FROM pg_proc p JOIN pg_language l ON l.oid = p.prolang JOIN pg_namespace n ON n.oid = p.pronamespace
      WHERE n.nspname = current_schema() AND p.proname LIKE 'tally\\_%' AND p.provolatile = 'v' AND p.prokind = 'f'
      ORDER BY 1`;
    const names = rows.map((r) => r.name);
    // The functions a recording over the API calls, so the query above cannot pass by finding nothing.
    expect(names).toEqual(expect.arrayContaining(["tally_mark_thresholds", "tally_record_usage", "tally_touch_api_key", "tally_touch_platform_key"]));
    expect(rows.filter((r) => r.language === "sql")).toEqual([]);
  });
});
