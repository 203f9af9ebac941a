import { afterAll, describe, expect, it } from "vitest";
import { checkUsage, claimGauge, recordUsage } from "@/lib/billing";
import { closeTestDb, seedWorkspace, testDb, writtenRows } from "./helpers";

afterAll(closeTestDb);

describe("bad input is refused with a clear error and writes nothing", () => {
  const cases: [string, Record<string, unknown>, string, RegExp][] = [
    ["negative units", { units: -1 }, "invalid_request", /greater than zero/],
    ["zero units", { units: 0 }, "invalid_request", /greater than zero/],
    ["zero as a string", { units: "0.000000" }, "invalid_request", /greater than zero/],
    ["NaN", { units: Number.NaN }, "invalid_request", /finite/],
    ["Infinity", { units: Number.POSITIVE_INFINITY }, "invalid_request", /finite/],
    ["over 2^53", { units: 2 ** 53 + 2 }, "invalid_request", /2\^53/],
    ["over 2^53 as a string", { units: "9007199254740993" }, "invalid_request", /2\^53/],
    ["seven decimals", { units: "1.0000001" }, "invalid_request", /6 decimal places/],
    ["a float that is not what it looks like", { units: 0.1 + 0.2 }, "invalid_request", /6 decimal places/],
    ["exponent notation", { units: "1e3" }, "invalid_request", /plain decimal/],
    ["not a number", { units: "ten" }, "invalid_request", /plain decimal/],
    ["a boolean", { units: true }, "invalid_request", /units/],
    ["unknown feature", { units: 1, feature: "teleport" }, "invalid_request", /Unknown feature "teleport"/],
    ["malformed feature", { units: 1, feature: "Compute!" }, "invalid_request", /feature/],
    ["unknown workspace", { units: 1, workspaceId: "ws_does_not_exist" }, "not_found", /Workspace not found/],
    ["oversized metadata", { units: 1, metadata: { blob: "x".repeat(4097) } }, "invalid_request", /4096 bytes/],
    ["metadata that is not an object", { units: 1, metadata: ["a"] }, "invalid_request", /metadata/],
    ["both units and costs", { units: 1, costs: { dollars: 1 } }, "invalid_request", /exactly one of units or costs/],
    ["neither units nor costs", {}, "invalid_request", /exactly one of units or costs/],
    ["an empty idempotency key", { units: 1, idempotencyKey: "" }, "invalid_request", /idempotencyKey/],
    ["an unknown field", { units: 1, extra: true }, "invalid_request", /extra|Unrecognized/i],
    ["negative token counts", { costs: { tokens: [{ provider: "openai", model: "gpt-4o", input: -5, output: 0 }] } }, "invalid_request", /costs/],
  ];

  it.each(cases)("%s", async (_, override, code, message) => {
    const { workspaceId } = await seedWorkspace({ compute: { limit: "100", overflow: "extras" } });
    await recordUsage(testDb(), { workspaceId, feature: "compute", units: 1, idempotencyKey: "open" });
    const before = await writtenRows(workspaceId);
    const input = { workspaceId, feature: "compute", idempotencyKey: `bad-${code}`, ...override };
    const error = await recordUsage(testDb(), input as never).then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).toMatchObject({ code, message: expect.stringMatching(message) });
    expect(await writtenRows(workspaceId)).toEqual(before);
  });

  it("a metered feature cannot be claimed and a gauge cannot be recorded", async () => {
    const { workspaceId } = await seedWorkspace();
    const before = await writtenRows(workspaceId);
    await expect(claimGauge(testDb(), { workspaceId, feature: "compute", idempotencyKey: "x" })).rejects.toMatchObject({ code: "invalid_request" });
    await expect(recordUsage(testDb(), { workspaceId, feature: "seats", units: 1, idempotencyKey: "y" })).rejects.toMatchObject({ code: "invalid_request" });
    const after = await writtenRows(workspaceId);
    // Only the windows themselves were opened (empty), nothing was counted.
    expect({ ...after, windows: 0 }).toEqual({ ...before, windows: 0 });
    expect(after.used).toBe("0");
  });

  it("checkUsage validates the same way and never writes", async () => {
    const { workspaceId } = await seedWorkspace();
    const before = await writtenRows(workspaceId);
    await expect(checkUsage(testDb(), { workspaceId, feature: "compute", units: -3 })).rejects.toMatchObject({ code: "invalid_request" });
    await expect(checkUsage(testDb(), { workspaceId: "nope", feature: "compute", units: 1 })).rejects.toMatchObject({ code: "not_found" });
    expect(await checkUsage(testDb(), { workspaceId, feature: "compute", units: 100 })).toMatchObject({ allowed: true, remaining: "100" });
    expect(await checkUsage(testDb(), { workspaceId, feature: "compute", units: "100.000001" })).toMatchObject({ allowed: false });
    expect(await writtenRows(workspaceId)).toEqual(before);
  });
});
