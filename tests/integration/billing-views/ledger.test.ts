import { afterAll, describe, expect, it } from "vitest";
import { adjustExtras } from "@/lib/billing";
import { ledgerPage, ledgerEntries, type LedgerCursor } from "@/lib/billing-views/ledger";
import type { LedgerKind } from "@/lib/generated/prisma/client";
import { removeWorkspace } from "../../setup/books";
import { recordingDb, tableReads } from "../../helpers/query-plans";
import { closeViewsDb, newWorkspace, uid, viewsDb } from "./helpers";

const recorder = recordingDb();
afterAll(async () => {
  await recorder.close();
  await closeViewsDb();
});

const T0 = new Date("2026-10-01T12:00:00.000Z");

/**
 * 40 credits and 20 debits (one entry per lot drawn from) through the engine's operator adjustments. Timestamps repeat in groups of
 * three, so the id tie-breaker of the keyset is exercised on every page.
 */
async function seedLedger(workspaceId: string) {
  const db = viewsDb();
  for (let i = 0; i < 60; i++) {
    const now = new Date(T0.getTime() + Math.floor(i / 3) * 1000);
    const debit = i % 3 === 2;
    await adjustExtras(db, { workspaceId, units: debit ? "-1.5" : "10", idempotencyKey: `seed-${i}`, memo: `entry ${i}`, now });
  }
}

async function allIds(workspaceId: string, kinds?: LedgerKind[]) {
  const rows = await viewsDb().ledgerEntry.findMany({
    where: { workspaceId, ...(kinds ? { kind: { in: kinds } } : {}) },
    orderBy: [{ createdAt: "desc" }, { seq: "desc" }],
    select: { id: true },
  });
  return rows.map((r) => r.id);
}

describe("ledger keyset pagination", () => {
  it("walks every entry exactly once, newest first, while new entries keep arriving", async () => {
    const ws = await newWorkspace();
    await seedLedger(ws.id);
    const before = await allIds(ws.id);
    expect(before.length).toBeGreaterThanOrEqual(60);

    const seen: string[] = [];
    let after: LedgerCursor | undefined;
    let pages = 0;
    for (;;) {
      const page = await ledgerPage(viewsDb(), { workspaceId: ws.id, after, limit: 7 });
      seen.push(...page.entries.map((e) => e.id));
      pages++;
      // Entries land between page loads; with OFFSET they would push rows already shown onto the next page.
      await adjustExtras(viewsDb(), { workspaceId: ws.id, units: "1", idempotencyKey: `late-${uid()}`, memo: "arrived while paging" });
      if (!page.older) break;
      expect(page.entries).toHaveLength(7);
      after = page.older;
    }
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen).toEqual(before);
    expect(pages).toBe(Math.ceil(before.length / 7));
  });

  it("goes back with `before` to exactly the pages it came from", async () => {
    const ws = await newWorkspace();
    await seedLedger(ws.id);
    const forward: string[][] = [];
    const cursors: { older: LedgerCursor | null; newer: LedgerCursor | null }[] = [];
    let after: LedgerCursor | undefined;
    do {
      const page = await ledgerPage(viewsDb(), { workspaceId: ws.id, after, limit: 9 });
      forward.push(page.entries.map((e) => e.id));
      cursors.push({ older: page.older, newer: page.newer });
      after = page.older ?? undefined;
    } while (after);
    expect(cursors[0]!.newer).toBeNull();
    expect(cursors.slice(1).every((c) => c.newer !== null)).toBe(true);
    // From the last page, follow `newer` back to the first.
    let newer = cursors[cursors.length - 1]!.newer;
    for (let i = forward.length - 2; i >= 0; i--) {
      const page = await ledgerPage(viewsDb(), { workspaceId: ws.id, before: newer!, limit: 9 });
      expect(page.entries.map((e) => e.id)).toEqual(forward[i]);
      newer = page.newer;
    }
    expect(newer).toBeNull();
  });

  it("filters by kind with the same guarantees and never shows another workspace", async () => {
    const ws = await newWorkspace();
    const other = await newWorkspace("other");
    await adjustExtras(viewsDb(), { workspaceId: other.id, units: "5", idempotencyKey: "other-1", memo: "someone else" });
    await seedLedger(ws.id);
    const streamed: string[] = [];
    for await (const row of ledgerEntries(viewsDb(), { workspaceId: ws.id, kinds: ["adjustment"], batchSize: 4 })) streamed.push(row.id);
    expect(streamed).toEqual(await allIds(ws.id, ["adjustment"]));
    const none = await ledgerPage(viewsDb(), { workspaceId: ws.id, kinds: ["topup"] });
    expect(none).toEqual({ entries: [], older: null, newer: null });
  });

  it("returns signed exact amounts and the running balance", async () => {
    const ws = await newWorkspace();
    await adjustExtras(viewsDb(), { workspaceId: ws.id, units: "0.1", idempotencyKey: "a", memo: "a", now: new Date(T0.getTime()) });
    await adjustExtras(viewsDb(), { workspaceId: ws.id, units: "0.2", idempotencyKey: "b", memo: "b", now: new Date(T0.getTime() + 1) });
    await adjustExtras(viewsDb(), { workspaceId: ws.id, units: "-0.25", idempotencyKey: "c", memo: "c", now: new Date(T0.getTime() + 2) });
    const page = await ledgerPage(viewsDb(), { workspaceId: ws.id });
    // The debit draws on both lots (one entry per lot, same createdAt); seq keeps them in the order written.
    expect(page.entries.map((e) => [e.units, e.balanceAfter])).toEqual([
      ["-0.15", "0.05"],
      ["-0.1", "0.2"],
      ["0.2", "0.3"],
      ["0.1", "0.1"],
    ]);
  });

  it("reads a page deep in a long history from its cursor, not from either end", async () => {
    const ws = await newWorkspace("long-ledger");
    try {
      // 20,000 entries, three to a timestamp (so the cursor falls inside a group), and statistics that know them.
      await viewsDb().$executeRaw`
        INSERT INTO "LedgerEntry" (id, "workspaceId", seq, "lotId", kind, units, "balanceAfter", "causeType", "causeId", "createdAt")
        SELECT 'hist-' || ${ws.id} || '-' || g, ${ws.id}, g, 'lot', 'adjustment', 0, 0, 'operator', 'hist-' || g,
               ${T0}::timestamp + ((g / 3) || ' seconds')::interval
        FROM generate_series(1, 20000) g`;
      await viewsDb().$executeRawUnsafe(`ANALYZE "LedgerEntry"`);
      const middle = await viewsDb().ledgerEntry.findUniqueOrThrow({ where: { workspaceId_seq: { workspaceId: ws.id, seq: 10_000 } } });
      const cursor = { createdAt: middle.createdAt, seq: middle.seq };

      const seqs = (p: { entries: { seq: number }[] }) => p.entries.map((e) => e.seq);
      const range = (from: number, to: number) => Array.from({ length: from - to + 1 }, (_, i) => from - i);
      for (const [query, expected] of [
        [{ after: cursor }, range(9_999, 9_975)],
        [{ before: cursor }, range(10_025, 10_001)],
      ] as const) {
        expect(seqs(await ledgerPage(viewsDb(), { workspaceId: ws.id, ...query, limit: 25 }))).toEqual(expected);
        const reads = await tableReads(recorder, "LedgerEntry", (db) => ledgerPage(db, { workspaceId: ws.id, ...query, limit: 25 }));
        expect(reads.length).toBeGreaterThan(0);
        // A page and its probe read about a page of rows, where starting from the newest (or oldest) would read 10,000.
        for (const r of reads) expect(r.scans.reduce((n, s) => n + s.rows, 0), r.text).toBeLessThan(200);
      }
    } finally {
      await removeWorkspace(viewsDb(), ws.id);
    }
  });
});
