import { describe, expect, it } from "vitest";
import { hashPayload, parseRecordInput } from "./validation";

// Stored events keep the hash their request had; a replay must hash the same forever, so the written-out
// canonical form in parseRecordInput must equal the generic one byte for byte.
describe("parseRecordInput's requestHash", () => {
  const cases = [
    { feature: "compute", units: 1 },
    { feature: "compute", units: "0.000001" },
    { feature: "api_calls", units: 12.5, metadata: { z: 1, a: [3, { y: null, b: "é\u2028" }], m: { k: true } } },
    { feature: "compute", costs: { action: "search", dollars: "1.25", tokens: [{ provider: "openai", model: "gpt", input: 10, output: 3 }] } },
    { feature: "compute", costs: { tokens: [{ model: "m", provider: "p" }] }, metadata: {} },
    { feature: "api_calls", units: 1e6 },
  ];
  it.each(cases)("equals hashPayload of { feature, units, costs, metadata } for %j", (c) => {
    const p = parseRecordInput({ workspaceId: "ws", idempotencyKey: "k", ...c });
    expect(p.requestHash).toBe(hashPayload({ feature: p.feature, units: p.units?.toFixed() ?? null, costs: p.costs, metadata: c.metadata ?? null }));
    expect(p.requestHash).toMatch(/^[0-9a-f]{64}$/);
  });

  it("differs when any part of the payload differs", () => {
    const hash = (c: object) => parseRecordInput({ workspaceId: "ws", idempotencyKey: "k", feature: "compute", ...c }).requestHash;
    const all = [hash({ units: 1 }), hash({ units: 2 }), hash({ units: 1, metadata: { a: 1 } }), hash({ units: 1, metadata: { a: 2 } }), hash({ costs: { action: "search" } })];
    expect(new Set(all).size).toBe(all.length);
    // Key order in metadata does not matter.
    expect(hash({ units: 1, metadata: { a: 1, b: 2 } })).toBe(hash({ units: 1, metadata: { b: 2, a: 1 } }));
  });
});
