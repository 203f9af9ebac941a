import { describe, expect, it } from "vitest";
import { db } from "@/lib/db";
import { adjustExtras, recordUsage, recordUsageBatch } from "@/lib/billing";
import { addModelPriceVersion, listModelPrices, nextWholeMinute } from "@/lib/admin/model-prices";
import { costCsv, COST_CSV_HEADER, monthRange } from "@/lib/admin/finance";
import { ensureCatalog, newOwner } from "../../helpers/factories";

const silent = { notifier: { async send() {} } };
const HOUR = 3_600_000;

async function workspace(label: string) {
  await ensureCatalog();
  const { user, workspace } = await newOwner(label);
  return { userId: user.id, email: user.email, workspaceId: workspace.id, slug: workspace.slug };
}

async function csvOf(month: string) {
  let out = "";
  for await (const chunk of costCsv(db(), monthRange(month), { batch: 7 })) out += chunk;
  return out.trimEnd().split("\r\n");
}

describe("model prices as effective versions", () => {
  it("a new version prices usage from its date on; earlier usage keeps the dollars it was priced with, late reports included", async () => {
    const opWs = await workspace("mp-op");
    const op = { id: opWs.userId, email: opWs.email };
    const ws = await workspace("mp-ws"); // Free: ratios base 1, $1 = 100 units
    const model = `m-${crypto.randomUUID().slice(0, 8)}`;
    const t0 = new Date("2026-11-10T10:00:00.000Z");
    const v1 = await addModelPriceVersion(db(), op, { provider: "acme", model, input: "2", output: "8", effectiveFrom: t0, now: t0 });
    const t1 = new Date("2026-11-12T00:00:00.000Z");
    const v2 = await addModelPriceVersion(db(), op, { provider: "acme", model, input: "4", output: "16", effectiveFrom: t1, now: new Date("2026-11-11T09:00:00.000Z") });
    const tokens = [{ provider: "acme", model, input: 1000, output: 500 }];
    const rec = (key: string, now: Date) => recordUsage(db(), { workspaceId: ws.workspaceId, feature: "compute", costs: { tokens }, idempotencyKey: key, now }, silent);
    // v1: $0.002 + $0.004 = $0.006 -> 0.6 + 1 units. v2: $0.012 -> 1.2 + 1.
    expect((await rec("before", new Date("2026-11-11T12:00:00.000Z"))).units).toBe("1.6");
    expect((await rec("after", new Date("2026-11-12T06:00:00.000Z"))).units).toBe("2.2");
    // Reported after v2 began, happened before it: v1's price.
    expect((await rec("late", new Date("2026-11-11T23:59:00.000Z"))).units).toBe("1.6");

    const events = await db().usageEvent.findMany({ where: { workspaceId: ws.workspaceId, feature: { not: "seats" } }, orderBy: { createdAt: "asc" } });
    expect(events.map((e) => [e.idempotencyKey, e.units.toFixed(), e.costDollars?.toFixed()])).toEqual([
      ["before", "1.6", "0.006"],
      ["late", "1.6", "0.006"],
      ["after", "2.2", "0.012"],
    ]);
    expect(events[0]!.costTokens).toEqual([{ provider: "acme", model, input: 1000, output: 500, priceId: v1.version.id }]);
    expect((events[2]!.costTokens as { priceId: string }[])[0]!.priceId).toBe(v2.version.id);
    // A replay answers as first recorded, and the stored dollars stay.
    expect((await rec("before", new Date("2026-11-11T12:00:00.000Z"))).units).toBe("1.6");

    const listed = (await listModelPrices(db(), new Date("2026-11-11T12:00:00.000Z"))).find((m) => m.model === model)!;
    expect(listed.versions.map((v) => [v.input, v.state])).toEqual([["4", "scheduled"], ["2", "current"]]);
    const audit = await db().auditLog.findMany({ where: { action: "model_price.versioned", actorEmail: op.email }, orderBy: { seq: "asc" } });
    expect(audit).toHaveLength(2);
    expect(audit[1]!.before).toMatchObject({ model, input: "2", output: "8" });
  });

  it("every recording path stores what priced it: the single statement, extras past the quota, and batches", async () => {
    const ws = await workspace("mp-paths");
    const t = new Date();
    const tokens = [{ provider: "openai", model: "gpt-4o", input: 1_000_000, output: 200_000 }]; // $4.5 -> 451 units: past Free's 100
    await adjustExtras(db(), { workspaceId: ws.workspaceId, units: "1000", idempotencyKey: `mp-${ws.workspaceId}`, memo: "for the test" });
    await recordUsage(db(), { workspaceId: ws.workspaceId, feature: "compute", costs: { tokens }, idempotencyKey: "extras", now: t }, silent);
    await recordUsageBatch(db(), { workspaceId: ws.workspaceId, now: t, events: [{ feature: "api_calls", costs: { dollars: "0.25" }, idempotencyKey: "batch-1" }, { feature: "api_calls", units: 3, idempotencyKey: "batch-2" }] });
    const rows = await db().usageEvent.findMany({ where: { workspaceId: ws.workspaceId, feature: { not: "seats" } }, orderBy: { idempotencyKey: "asc" } });
    expect(rows.map((e) => [e.idempotencyKey, e.units.toFixed(), e.extrasUnits.toFixed(), e.costDollars?.toFixed() ?? null])).toEqual([
      ["batch-1", "26", "0", "0.25"],
      ["batch-2", "3", "0", null],
      ["extras", "451", "351", "4.5"],
    ]);
  });

  it("a version never starts in the past, and a double submit is one version", async () => {
    const opWs = await workspace("mp-op2");
    const op = { id: opWs.userId, email: opWs.email };
    const now = new Date("2026-11-20T10:15:30.000Z");
    await expect(addModelPriceVersion(db(), op, { provider: "acme", model: "past", input: "1", output: "1", effectiveFrom: new Date(now.getTime() - HOUR), now })).rejects.toMatchObject({ code: "invalid_request" });
    const a = await addModelPriceVersion(db(), op, { provider: "acme", model: "twice", input: "1", output: "2", now });
    const b = await addModelPriceVersion(db(), op, { provider: "acme", model: "twice", input: "1", output: "2", now: new Date(now.getTime() + 5000) });
    expect([a.created, b.created, a.version.id === b.version.id]).toEqual([true, false, true]);
    expect(a.version.effectiveFrom).toEqual(nextWholeMinute(now));
    expect(a.version.effectiveFrom.toISOString()).toBe("2026-11-20T10:16:00.000Z");
    await expect(addModelPriceVersion(db(), op, { provider: "acme", model: "twice", input: "9", output: "9", now })).rejects.toMatchObject({ code: "conflict" });
  });
});

describe("the finance export", () => {
  it("cost against units per workspace, month and feature, as CSV", async () => {
    const opWs = await workspace("fx-op");
    const op = { id: opWs.userId, email: opWs.email };
    const ws = await workspace("fx-ws");
    const model = `fx-${crypto.randomUUID().slice(0, 8)}`;
    await addModelPriceVersion(db(), op, { provider: "acme", model, input: "1", output: "3", effectiveFrom: new Date("2026-09-01T00:00:00.000Z"), now: new Date("2026-09-01T00:00:00.000Z") });
    const rec = (key: string, now: string, body: object) => recordUsage(db(), { workspaceId: ws.workspaceId, feature: "compute", idempotencyKey: key, now: new Date(now), ...body }, silent);
    await rec("oct-1", "2026-10-05T10:00:00.000Z", { costs: { tokens: [{ provider: "acme", model, input: 2000, output: 1000 }] } }); // $0.005 -> 1.5 units
    await rec("oct-2", "2026-10-06T10:00:00.000Z", { costs: { dollars: "0.1" } }); // 11 units
    await rec("oct-3", "2026-10-07T10:00:00.000Z", { units: 4 });
    await rec("nov-1", "2026-11-02T10:00:00.000Z", { units: 2 });
    const oct = (await csvOf("2026-10")).filter((l, i) => i === 0 || l.includes(ws.workspaceId));
    expect(oct[0]).toBe(COST_CSV_HEADER.join(","));
    expect(oct.slice(1)).toEqual([`2026-10,${ws.workspaceId},${ws.slug},fx-ws workspace,compute,3,16.5,2,0.105,2000,1000`]);
    const both = (await (async () => {
      let out = "";
      for await (const c of costCsv(db(), monthRange("2026-10", "2026-11"))) out += c;
      return out.trimEnd().split("\r\n");
    })()).filter((l) => l.includes(ws.workspaceId));
    expect(both.map((l) => l.split(",").slice(0, 1).concat(l.split(",").slice(5, 8)))).toEqual([["2026-10", "3", "16.5", "2"], ["2026-11", "1", "2", "0"]]);
    expect(() => monthRange("2026-13")).toThrow(expect.objectContaining({ code: "invalid_request" }));
    expect(() => monthRange("2025-01", "2026-11")).toThrow(expect.objectContaining({ code: "invalid_request" }));
    expect(() => monthRange("2026-11", "2026-10")).toThrow(expect.objectContaining({ code: "invalid_request" }));
  });
});
