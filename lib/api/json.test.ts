import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ExactNumber, exact, exactOrNull, parseJson, stringifyJson } from "./json";
import { errorBody, json } from "./respond";
import { wireAnswer, wireLimitations } from "./wire";
import { AppError } from "@/lib/errors";

describe("stringifyJson", () => {
  it("writes an amount with its exact digits, where a double would round it", () => {
    expect(stringifyJson({ units: exact("123456789012.123456") })).toBe('{"units":123456789012.123456}');
    expect(JSON.stringify({ units: Number("123456789012.123456") })).toBe('{"units":123456789012.12346}');
    expect(stringifyJson([exact("9007199254740991.999999"), exact("-40"), exact("0"), exact("0.000001")])).toBe("[9007199254740991.999999,-40,0,0.000001]");
  });

  it("writes everything else as JSON.stringify does", () => {
    const value = {
      s: 'quote " backslash \\ newline \n nul \u0000 lone \ud800 emoji 😀',
      n: 1.5,
      big: 1e21,
      neg: -0,
      nan: Number.NaN,
      t: true,
      f: false,
      nil: null,
      skipped: undefined,
      fn: () => 1,
      date: new Date("2026-12-02T10:00:00.000Z"),
      nested: { a: [1, "two", null, undefined, { b: [] }], empty: {} },
      __proto__key: JSON.parse('{"__proto__":1}'),
    };
    expect(stringifyJson(value)).toBe(JSON.stringify(value));
    expect(stringifyJson(undefined)).toBe("null");
    expect(stringifyJson(new AppError("invalid_request", "bad", { field: "units" }))).toBe(JSON.stringify(new AppError("invalid_request", "bad", { field: "units" })));
  });

  it("equals JSON.stringify on any JSON value (property)", () => {
    fc.assert(
      fc.property(fc.jsonValue(), (v) => {
        expect(stringifyJson(v)).toBe(JSON.stringify(v));
      }),
      { numRuns: 300 },
    );
  });

  it("parses back to the same numbers a client would read, and carries every digit in the text", () => {
    fc.assert(
      fc.property(fc.bigInt({ min: -(10n ** 30n), max: 10n ** 30n }), fc.nat(999_999), (whole, fraction) => {
        const digits = `${whole}${fraction ? `.${String(fraction).padStart(6, "0").replace(/0+$/, "")}` : ""}`;
        const text = stringifyJson({ a: exact(digits) });
        expect(text).toBe(`{"a":${digits}}`);
        expect(JSON.parse(text)).toEqual({ a: Number(digits) });
      }),
      { numRuns: 300 },
    );
  });

  it("refuses to wrap anything but a plain decimal, so an answer is always valid JSON", () => {
    for (const bad of ["", "1e5", "NaN", "Infinity", "01", "1.", ".5", "+1", " 1", "1,5", "0x10", "1\n", '1,"x":2']) {
      expect(() => new ExactNumber(bad), bad).toThrow(/not a plain decimal/);
    }
    expect(exactOrNull(null)).toBeNull();
  });
});

describe("the API's answers", () => {
  const answer = { allowed: true, feature: "compute", units: "123456789012.123456", remaining: "9007199254740990.000001", extrasRemaining: "-0.5", resetsAt: null };

  it("usage and check answers keep every digit", () => {
    expect(json(wireAnswer(answer)).body).toBe(
      '{"allowed":true,"feature":"compute","units":123456789012.123456,"remaining":9007199254740990.000001,"extrasRemaining":-0.5,"resetsAt":null}',
    );
    expect(json(wireAnswer({ ...answer, remaining: null })).body).toContain('"remaining":null');
  });

  it("a refusal's details keep every digit, and details that are not amounts stay as they are", () => {
    const e = new AppError("quota_exhausted", "no", { feature: "compute", units: "123456789012.123456", remaining: "0.000001", extrasRemaining: "-12345678901234.5", resetsAt: null });
    expect(json(errorBody(e)).body).toBe(
      '{"error":{"code":"quota_exhausted","message":"no","details":{"feature":"compute","units":123456789012.123456,"remaining":0.000001,"extrasRemaining":-12345678901234.5,"resetsAt":null}}}',
    );
    expect(json(errorBody(new AppError("invalid_request", "bad", { field: "units", units: "lots" }))).body).toBe(
      '{"error":{"code":"invalid_request","message":"bad","details":{"field":"units","units":"lots"}}}',
    );
  });

  it("limitations keep every digit", () => {
    const body = json(
      wireLimitations({
        workspaceId: "w",
        plan: { id: "p", key: "pro", version: 2, name: "Pro" },
        status: "active",
        trialEndsAt: null,
        currentPeriodEnd: null,
        entitlements: [
          { feature: "compute", kind: "meter", period: "week", overflow: "extras", limit: "9007199254740991", used: "123456789012.123456", remaining: "9007075798010978.876544", resetsAt: null },
          { feature: "seats", kind: "gauge", period: "lifetime", overflow: "block", limit: null, used: "1", remaining: null, resetsAt: null },
        ],
        extras: { balance: "98765432109876.543211", usable: "98765432109876.543211", expiringSoon: [{ lotId: "l", remaining: "0.000001", expiresAt: "2027-01-01T00:00:00.000Z" }] },
      }),
    ).body;
    expect(body).toContain('"limit":9007199254740991,"used":123456789012.123456,"remaining":9007075798010978.876544');
    expect(body).toContain('"limit":null,"used":1,"remaining":null');
    expect(body).toContain('"extras":{"balance":98765432109876.543211,"usable":98765432109876.543211,"expiringSoon":[{"remaining":0.000001,"expiresAt":"2027-01-01T00:00:00.000Z"}]}');
    // The plan's internal id stays out of the answer, as before.
    expect(body).not.toContain('"id"');
  });
});

describe("parseJson", () => {
  it("keeps an amount sent as a number a double cannot hold as its decimal text", () => {
    expect(parseJson('{"feature":"compute","units":123456789012.123456,"idempotencyKey":"k"}')).toEqual({ feature: "compute", units: "123456789012.123456", idempotencyKey: "k" });
    expect(parseJson('{"events":[{"units":1},{"units": 123456789012.123456 ,"costs":{"dollars":98765432109.8765432}},{"costs":{"dollars":12345678901234.56789}}]}')).toEqual({
      events: [{ units: 1 }, { units: "123456789012.123456", costs: { dollars: "98765432109.8765432" } }, { costs: { dollars: "12345678901234.56789" } }],
    });
    expect(parseJson('{"costs":{"dollars":1234567890123.4567}}')).toEqual({ costs: { dollars: "1234567890123.4567" } });
    expect(parseJson('{"units":12345678901234567890}')).toEqual({ units: "12345678901234567890" });
  });

  it("reads every other number as JSON.parse does: amounts a double holds, numbers elsewhere, look-alikes in strings", () => {
    for (const text of [
      '{"units":2.5,"feature":"compute"}',
      '{"units":1234567890123456}',
      '{"units":9007199254740991}',
      '{"units":1e300}',
      '{"units":-5}',
      '{"metadata":{"units":123456789012.123456,"n":[123456789012.123456]},"units":"123456789012.123456"}',
      '{"note":"units\\":123456789012.123456","units":1}',
      '{"costs":{"tokens":[{"input":12345678901234567890,"output":0}]}}',
      '[123456789012.123456]',
      '123456789012.123456',
    ]) {
      expect(parseJson(text), text).toEqual(JSON.parse(text));
    }
  });

  it("equals JSON.parse on any text JSON.stringify writes (property)", () => {
    const body = fc.record({ units: fc.oneof(fc.double(), fc.integer(), fc.string()), events: fc.array(fc.record({ units: fc.double(), costs: fc.record({ dollars: fc.double() }) })), rest: fc.jsonValue() });
    fc.assert(
      fc.property(body, (v) => {
        const text = JSON.stringify(v);
        expect(parseJson(text)).toEqual(JSON.parse(text));
      }),
      { numRuns: 300 },
    );
  });

  it("refuses malformed JSON as JSON.parse does", () => {
    for (const text of ['{"units":123456789012.123456', '{"units" 123456789012.1234567}', '"units', "", "{'units':1}"]) {
      expect(() => parseJson(text), text).toThrow(SyntaxError);
    }
  });
});
