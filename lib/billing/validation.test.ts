import { describe, expect, it } from "vitest";
import { eventTime, hashPayload, parseRecordInput } from "./validation";

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

describe("parseRecordInput's metadata", () => {
  const nested = (levels: number, open = '{"a":', close = "}") => JSON.parse(open.repeat(levels) + "1" + close.repeat(levels)) as Record<string, unknown>;
  const parse = (metadata: Record<string, unknown>) => () => parseRecordInput({ workspaceId: "w", feature: "compute", units: 1, idempotencyKey: "k", metadata });
  const tooDeep = expect.objectContaining({ code: "invalid_request", message: "metadata must be nested at most 32 levels deep." });

  it("takes 32 levels of objects or arrays", () => {
    expect(parse(nested(32))().metadataJson).toBe('{"a":'.repeat(32) + "1" + "}".repeat(32));
    expect(parse({ a: nested(31, "[", "]") })().metadataJson).toContain("[".repeat(31));
  });

  // A few thousand levels overflowed the stack of the walks over metadata: a RangeError, so a 500.
  it.each([33, 3_000, 4_000, 100_000])("refuses %i levels as bad input, without overflowing the stack", (levels) => {
    expect(parse(nested(levels))).toThrow(tooDeep);
    expect(parse({ a: nested(levels, "[", "]") })).toThrow(tooDeep);
  });
});

describe("eventTime", () => {
  const now = new Date("2026-12-01T13:00:00Z");
  it("refuses a day or time the calendar does not have, which Date would roll over into the last 24 hours", () => {
    for (const t of ["2026-11-31T12:00:00Z", "2026-11-30T24:00:00Z", "2026-11-30t24:00:00z", "2026-11-31T12:00:00+01:00"]) expect(eventTime(t, now).error?.code, t).toBe("invalid_timestamp");
  });
  it("takes a real time in the last 24 hours, with or without an offset", () => {
    expect(eventTime("2026-12-01T12:00:00Z", now)).toEqual({ at: new Date("2026-12-01T12:00:00Z") });
    expect(eventTime("2026-12-01T00:30:00-01:00", now)).toEqual({ at: new Date("2026-12-01T01:30:00Z") });
  });
});
