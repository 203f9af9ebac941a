import { afterAll, describe, expect, it } from "vitest";
import { adjustExtras, claimGauge, recordUsage } from "@/lib/billing";
import { currentWindowBreakdown, dailyUsage, usageEventDetail } from "@/lib/billing-views/usage-history";
import { removeWorkspace } from "../../setup/books";
import { recordingDb, tableReads } from "../../helpers/query-plans";
import { closeViewsDb, newWorkspace, uid, viewsDb } from "./helpers";

const recorder = recordingDb();
afterAll(async () => {
  await recorder.close();
  await closeViewsDb();
});

const silent = { notifier: { async send() {} } };
const NOW = new Date("2026-11-20T15:00:00.000Z");

async function record(workspaceId: string, feature: string, units: string, at: string, metadata?: Record<string, unknown>) {
  return recordUsage(viewsDb(), { workspaceId, feature, units, idempotencyKey: `e-${uid()}`, now: new Date(at), metadata }, silent);
}

describe("daily usage", () => {
  it("sums each UTC day exactly in decimals, with day boundaries at midnight UTC and 30 days including today", async () => {
    const ws = await newWorkspace();
    // 0.1 + 0.2 is 0.30000000000000004 in binary floats; the page must say 0.3.
    await record(ws.id, "compute", "0.1", "2026-11-18T00:00:00.000Z");
    await record(ws.id, "compute", "0.2", "2026-11-18T23:59:59.999Z");
    await record(ws.id, "compute", "0.000001", "2026-11-19T00:00:00.000Z");
    await record(ws.id, "compute", "7", "2026-11-20T14:59:59.000Z");
    await record(ws.id, "compute", "1", "2026-10-21T23:59:59.999Z"); // day 31 back: outside
    await record(ws.id, "compute", "2.5", "2026-10-22T00:00:00.000Z"); // first day of the 30
    await record(ws.id, "api_calls", "3", "2026-11-18T10:00:00.000Z");
    await claimGauge(viewsDb(), { workspaceId: ws.id, feature: "projects", idempotencyKey: `g-${uid()}`, now: new Date("2026-11-18T10:00:00.000Z") });

    const h = await dailyUsage(viewsDb(), ws.id, { days: 30, now: NOW });
    expect(h.days).toHaveLength(30);
    expect(h.days[0]).toBe("2026-10-22");
    expect(h.days[29]).toBe("2026-11-20");
    expect(h.series.map((s) => s.feature)).toEqual(["api_calls", "compute"]); // gauges are levels, not flows
    const compute = h.series.find((s) => s.feature === "compute")!;
    const at = (day: string) => compute.totals[h.days.indexOf(day)];
    expect(at("2026-10-22")).toBe("2.5");
    expect(at("2026-11-18")).toBe("0.3");
    expect(at("2026-11-19")).toBe("0.000001");
    expect(at("2026-11-20")).toBe("7");
    expect(compute.totals.filter((t) => t !== "0")).toHaveLength(4);
    expect(compute.sum).toBe("9.800001");
    expect(h.series.find((s) => s.feature === "api_calls")!.totals[h.days.indexOf("2026-11-18")]).toBe("3");
  });

  it("runs cumulative usage from the start of the quota window, including days before a short range, against its quota", async () => {
    const ws = await newWorkspace();
    await record(ws.id, "compute", "2.5", "2026-11-20T01:00:00.000Z");
    const w = await viewsDb().usageWindow.findFirstOrThrow({ where: { workspaceId: ws.id, feature: "compute" } });
    // One event early in the window (before a 7-day range when the window is long enough) and one today.
    const early = new Date(Math.max(w.periodStart.getTime(), NOW.getTime() - 20 * 86_400_000));
    await record(ws.id, "compute", "10", early.toISOString());
    const h = await dailyUsage(viewsDb(), ws.id, { days: 7, now: NOW });
    const compute = h.series.find((s) => s.feature === "compute")!;
    expect(compute.cumulative.at(-1)).toBe("12.5");
    expect(compute.quota.at(-1)).toBe(w.quota!.toFixed());
    expect(compute.sum).toBe(early.getTime() >= NOW.getTime() - 6 * 86_400_000 ? "12.5" : "2.5");
  });

  it("is empty for a workspace without usage and never counts another workspace's", async () => {
    const ws = await newWorkspace();
    const other = await newWorkspace("other");
    await record(other.id, "compute", "5", "2026-11-19T10:00:00.000Z");
    expect(await dailyUsage(viewsDb(), ws.id, { now: NOW })).toEqual({ days: expect.any(Array), series: [] });
  });
});

describe("current window breakdown", () => {
  it("groups the active window by metadata action and lists the largest events first", async () => {
    const ws = await newWorkspace();
    const now = new Date().toISOString();
    await record(ws.id, "compute", "1.5", now, { action: "summarize" });
    await record(ws.id, "compute", "2.25", now, { action: "summarize" });
    await record(ws.id, "compute", "10", now, { action: "translate" });
    await record(ws.id, "compute", "0.5", now);
    const [w, ...rest] = await currentWindowBreakdown(viewsDb(), ws.id, new Date(), 2);
    expect(rest).toEqual([]);
    expect(w!.feature).toBe("compute");
    expect(w!.used).toBe("14.25");
    expect(w!.quota).toBe("100");
    expect(w!.byAction).toEqual([
      { action: "translate", events: 1, units: "10" },
      { action: "summarize", events: 2, units: "3.75" },
      { action: null, events: 1, units: "0.5" },
    ]);
    expect(w!.top.map((t) => [t.action, t.units])).toEqual([
      ["translate", "10"],
      ["summarize", "2.25"],
    ]);
    const detail = await usageEventDetail(viewsDb(), ws.id, w!.top[0]!.id);
    expect(detail).toMatchObject({ feature: "compute", units: "10", quotaUnits: "10", extrasUnits: "0", metadata: { action: "translate" }, ledger: [] });
    const stranger = await newWorkspace("stranger");
    expect(await usageEventDetail(viewsDb(), stranger.id, w!.top[0]!.id)).toBeNull();
  });
});

describe("usage event detail", () => {
  it("finds an event's debits in the ledger's unique index however long the ledger", async () => {
    const ws = await newWorkspace("long-ledger");
    try {
      await adjustExtras(viewsDb(), { workspaceId: ws.id, units: "50", idempotencyKey: `grant-${uid()}`, memo: "extras" });
      await record(ws.id, "compute", "120", new Date().toISOString());
      const { id } = await viewsDb().usageEvent.findFirstOrThrow({ where: { workspaceId: ws.id, feature: "compute" } });
      // 20,000 entries of other events, and statistics that know them.
      await viewsDb().$executeRaw`
        INSERT INTO "LedgerEntry" (id, "workspaceId", seq, "lotId", kind, units, "balanceAfter", "causeType", "causeId")
        SELECT 'hist-' || ${ws.id} || '-' || g, ${ws.id}, 1000 + g, 'lot', 'debit', 0, 30, 'usage_event', 'hist-' || g
        FROM generate_series(1, 20000) g`;
      await viewsDb().$executeRawUnsafe(`ANALYZE "LedgerEntry"`);

      const detail = await usageEventDetail(viewsDb(), ws.id, id);
      expect(detail).toMatchObject({ units: "120", quotaUnits: "100", extrasUnits: "20", ledger: [{ kind: "debit", units: "-20", balanceAfter: "30" }] });
      const reads = await tableReads(recorder, "LedgerEntry", (db) => usageEventDetail(db, ws.id, id));
      expect(reads).toHaveLength(1);
      // Its own entries, where a scan of the workspace's entries would read 20,000.
      expect(reads[0]!.scans.reduce((n, s) => n + s.rows, 0), reads[0]!.text).toBeLessThan(10);
    } finally {
      await removeWorkspace(viewsDb(), ws.id);
    }
  });
});
