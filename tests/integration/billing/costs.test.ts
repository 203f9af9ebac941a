import { afterAll, describe, expect, it } from "vitest";
import { checkUsage, publishPlan, recordUsage } from "@/lib/billing";
import { closeTestDb, expectBooksHold, fastTestDb, seedWorkspace, testDb, writtenRows } from "./helpers";

afterAll(closeTestDb);

const silent = { notifier: { async send() {} } };
// Default catalog ratios: runBaseUnits 1, dollarsToUnits 100, maxUnitsPerRun 500, weights small 1 medium 2.5 large 5 xl 15.
const unlimited = { compute: { limit: null, overflow: "block" as const } };

describe("costs to units", () => {
  it("adds the run base, the action weight and dollars at the plan's ratio, capped per run", async () => {
    const { workspaceId } = await seedWorkspace(unlimited);
    const rec = (key: string, costs: object) => recordUsage(testDb(), { workspaceId, feature: "compute", costs, idempotencyKey: key }, silent);
    expect((await rec("base", {})).units).toBe("1");
    expect((await rec("medium", { action: "medium", dollars: "0.125" })).units).toBe("16"); // 1 + 2.5 + 12.5
    expect((await rec("xl", { action: "xl" })).units).toBe("16"); // 1 + 15
    // gpt-4o: $2.5 per million input, $10 per million output -> 2.5 + 2 = $4.5 -> 450 units + 1
    expect((await rec("tokens", { tokens: [{ provider: "openai", model: "gpt-4o", input: 1_000_000, output: 200_000 }] })).units).toBe("451");
    // claude-haiku $0.8/$4: 1234 in, 567 out -> $0.0009872 + $0.002268 = $0.0032552 -> 0.32552 units + 1 + 5 (large)
    expect(
      (await rec("mixed", { action: "large", tokens: [{ provider: "anthropic", model: "claude-haiku", input: 1234, output: 567 }] })).units,
    ).toBe("6.32552");
    expect((await rec("capped", { dollars: 10 })).units).toBe("500"); // 1001 capped at 500
    await expect(rec("bad-model", { tokens: [{ provider: "openai", model: "gpt-9", input: 1, output: 1 }] })).rejects.toMatchObject({ code: "invalid_request" });
    await expect(rec("bad-action", { action: "huge" })).rejects.toMatchObject({ code: "invalid_request" });
    await expect(rec("bad-dollars", { dollars: "0.0000001" })).rejects.toMatchObject({ code: "invalid_request" });
    const w = await testDb().usageWindow.findFirstOrThrow({ where: { workspaceId, feature: "compute" } });
    expect(w.used.toFixed()).toBe("990.32552");
    await expectBooksHold(workspaceId);
  });

  it("an action named like an Object.prototype member is an unknown action (400), recorded or checked, and writes nothing", async () => {
    const { workspaceId } = await seedWorkspace(unlimited);
    for (const client of [testDb(), fastTestDb()]) {
      for (const action of ["constructor", "toString", "__proto__", "hasOwnProperty", "valueOf"]) {
        const costs = { action, dollars: "0.01" };
        const unknown = { code: "invalid_request", details: { field: "costs.action" } };
        await expect(recordUsage(client, { workspaceId, feature: "compute", costs, idempotencyKey: `proto-${action}` }, silent)).rejects.toMatchObject(unknown);
        await expect(checkUsage(client, { workspaceId, feature: "compute", costs })).rejects.toMatchObject(unknown);
      }
    }
    const rows = await writtenRows(workspaceId);
    expect({ events: rows.events, used: rows.used }).toEqual({ events: 0, used: "0" });
    // A known action still prices: 1 + 1 + $0.01 x 100.
    expect((await recordUsage(testDb(), { workspaceId, feature: "compute", costs: { action: "small", dollars: "0.01" }, idempotencyKey: "known" }, silent)).units).toBe("3");
    await expectBooksHold(workspaceId);
  });

  it("uses the ratios frozen with the workspace's plan version", async () => {
    const { workspaceId, spec } = await seedWorkspace(unlimited);
    await publishPlan(testDb(), { ...spec, ratios: { ...spec.ratios, dollarsToUnits: "1000", runBaseUnits: "3" } });
    const a = await recordUsage(testDb(), { workspaceId, feature: "compute", costs: { dollars: "0.5" }, idempotencyKey: "v1" }, silent);
    expect(a.units).toBe("51");
  });

  it("stays exact over 10,000 recordings (no float drift)", async () => {
    const { workspaceId } = await seedWorkspace({ ...unlimited, plan: { ratios: { runBaseUnits: "0.1", dollarsToUnits: "100", maxUnitsPerRun: null, actionWeights: {} } } });
    // gpt-4o-mini $0.15/$0.6 per million: 1000 in + 333 out = $0.00015 + $0.0001998 = $0.0003498 -> 0.03498 + 0.1 = 0.13498 units
    const costs = { tokens: [{ provider: "openai", model: "gpt-4o-mini", input: 1000, output: 333 }] };
    let next = 0;
    const answers: string[] = [];
    await Promise.all(
      Array.from({ length: 32 }, async () => {
        while (next < 10_000) {
          const i = next++;
          const a = await recordUsage(fastTestDb(), { workspaceId, feature: "compute", costs, idempotencyKey: `c-${i}` }, silent);
          answers.push(a.units);
        }
      }),
    );
    expect(answers).toHaveLength(10_000);
    expect(new Set(answers)).toEqual(new Set(["0.13498"]));
    const w = await testDb().usageWindow.findFirstOrThrow({ where: { workspaceId, feature: "compute" } });
    expect(w.used.toFixed()).toBe("1349.8");
    // The float sum the engine avoided: 10,000 additions of 0.13498 in binary floating point drift off 1349.8.
    expect(Array(10_000).fill(0.13498).reduce((s: number, x: number) => s + x, 0)).not.toBe(1349.8);
    await expectBooksHold(workspaceId);
  }, 240_000);
});
