// Item: hostile input. Property-based requests generated around the API's own Zod schemas plus a fixed
// list of nasty values: never a 5xx, every invalid request refused with nothing written, and the units
// the API accepted are exactly what the counters hold.
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { batchRequestSchema, checkRequestSchema, usageRequestSchema } from "@/lib/api/schemas";
import { parseUnits, toDec, ZERO, type Dec } from "@/lib/billing/units";
import { chaosDb, closeDb, createClient, instanceA, instanceB, seedWorkspace, written } from "./helpers";
import type { Reply } from "../http/client";

const a = createClient(instanceA(), 8);
const b = createClient(instanceB(), 8);
afterAll(async () => {
  a.close();
  b.close();
  await closeDb();
});

let ws: Awaited<ReturnType<typeof seedWorkspace>>;
beforeAll(async () => {
  // A finite quota with blocking overflow, so huge valid amounts are refused (402) rather than counted.
  ws = await seedWorkspace(chaosDb(), { compute: { limit: "1000000000000000", overflow: "block" } });
});

/** What the API accepted, by our own count from its answers. */
let accepted = ZERO;
let acceptedEvents = 0;
let sent = 0;

const hostileString = fc.oneof(
  fc.string(),
  fc.string({ unit: "binary" }),
  fc.string({ unit: fc.constantFrom("\u0000", "\u0007", "\u001b", "\u200b", "\u202e", "\ufeff", "\ud800", "\udfff", "\n", "'", '"', "\\", "%", "$1") }),
  fc.constantFrom("compute", "api_calls", "seats", "teleports", "COMPUTE", "compute ", "compute\u0000", "__proto__", "constructor"),
);

const hostileNumber = fc.oneof(
  fc.double(),
  fc.integer(),
  fc.double({ min: 0.000001, max: 1e6, noNaN: true }),
  fc.bigInt({ min: 0n, max: 2n ** 70n }).map((n) => n.toString()),
  fc.constantFrom(-1, 0, -0, 1e308, 2 ** 53, 2 ** 63, "9223372036854775808", "1e3", "0x10", "1.0000001", "00.5", " 1", "1", "12.5", "0.000001"),
);

const jsonish = fc.jsonValue({ maxDepth: 3 });

/** A usage request that the schema accepts: what the generated hostile ones are bent from. */
const validBody = fc.record(
  {
    feature: fc.constant("compute"),
    units: fc.oneof(fc.integer({ min: 1, max: 1_000_000 }), fc.tuple(fc.nat(999_999), fc.nat(999_999)).map(([i, f]) => `${i + 1}.${String(f).padStart(6, "0")}`)),
    idempotencyKey: fc.uuid(),
    metadata: fc.dictionary(hostileString, fc.oneof(hostileString, fc.integer(), fc.boolean()), { maxKeys: 3 }),
  },
  { requiredKeys: ["feature", "units", "idempotencyKey"] },
);

/** Any field of a request bent, missing or extra: close enough to valid that the server must look inside. */
const bentBody = fc.record(
  {
    feature: fc.oneof(fc.constant("compute"), hostileString, jsonish),
    units: fc.oneof(hostileNumber, jsonish),
    costs: fc.oneof(fc.record({ action: fc.oneof(fc.constantFrom("small", "medium", "large", "xl"), hostileString) }, { requiredKeys: [] }), jsonish),
    idempotencyKey: fc.oneof(fc.uuid(), hostileString, jsonish),
    metadata: fc.oneof(fc.dictionary(hostileString, jsonish, { maxKeys: 4 }), jsonish),
    extra: jsonish,
  },
  { requiredKeys: [] },
).map((r) => {
  // "extra" stands for any unknown key; the rest are the schema's own fields.
  const { extra, ...rest } = r as Record<string, unknown>;
  return extra === undefined ? rest : { ...rest, [typeof extra === "string" && extra ? extra : "unexpected"]: extra };
});

const usageBody = fc.oneof({ arbitrary: validBody, weight: 2 }, { arbitrary: bentBody, weight: 3 }, { arbitrary: fc.anything(), weight: 1 });

/** The value the server parses: JSON turns NaN and Infinity into null and drops undefined. */
const overTheWire = (v: unknown): unknown => JSON.parse(JSON.stringify(v) ?? "null");

// Keys must not repeat by accident: a replay would be a second 200 for the same units.
const unique = (body: unknown, i: number): unknown => {
  if (body && typeof body === "object" && !Array.isArray(body) && typeof (body as { idempotencyKey?: unknown }).idempotencyKey === "string") {
    return { ...body, idempotencyKey: `${(body as { idempotencyKey: string }).idempotencyKey}~${i}` };
  }
  return body;
};

function unitsOf(body: { units?: unknown }, reply: Reply): Dec {
  // The request's own amount when it sent units (exact); the answer's when the server priced costs.
  return body.units !== undefined ? parseUnits(body.units) : toDec(String(reply.json.units));
}

function expectSane(reply: Reply, label: string) {
  expect(reply.status, `${label}: ${reply.text.slice(0, 300)}`).toBeLessThan(500);
  expect(reply.status, label).toBeGreaterThanOrEqual(200);
  expect(reply.headers["content-type"], label).toMatch(/^application\/json/);
  if (reply.status !== 200) expect(typeof reply.json?.error?.code, label).toBe("string");
}

describe("hostile input", () => {
  it("POST /api/v1/usage: generated requests never 5xx; schema-invalid ones are 400 and write nothing", async () => {
    await fc.assert(
      fc.asyncProperty(usageBody, fc.boolean(), async (generated, onA) => {
        const i = sent++;
        const body = overTheWire(unique(generated, i));
        const before = await written(chaosDb(), ws.workspaceId);
        const reply = await (onA ? a : b).request("/api/v1/usage", { key: ws.key, body });
        expectSane(reply, JSON.stringify(body).slice(0, 200));
        if (!usageRequestSchema.safeParse(body).success) {
          expect(reply.status).toBe(400);
          expect(reply.json.error.code).toBe("invalid_request");
        }
        if (reply.status === 200) {
          accepted = accepted.plus(unitsOf(body as { units?: unknown }, reply));
          acceptedEvents++;
        } else {
          expect(await written(chaosDb(), ws.workspaceId)).toEqual(before);
        }
      }),
      { numRuns: 250 },
    );
    expect(acceptedEvents).toBeGreaterThan(10);
  });

  it("POST /api/v1/check: generated requests never 5xx, are refused when invalid, and never write", async () => {
    const before = await written(chaosDb(), ws.workspaceId);
    await fc.assert(
      fc.asyncProperty(usageBody, async (generated) => {
        const body = overTheWire(generated);
        const reply = await a.request("/api/v1/check", { key: ws.key, body });
        expectSane(reply, JSON.stringify(body).slice(0, 200));
        if (!checkRequestSchema.safeParse(body).success) expect(reply.status).toBe(400);
      }),
      { numRuns: 150 },
    );
    expect(await written(chaosDb(), ws.workspaceId)).toEqual(before);
  });

  it("POST /api/v1/usage/batch: generated batches never 5xx; an invalid batch is refused whole", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(usageBody, { minLength: 0, maxLength: 6 }), fc.boolean(), async (events, wrap) => {
        const i = sent++;
        const body = overTheWire(wrap ? { events: events.map((e, j) => unique(e, i * 10 + j)) } : events);
        const before = await written(chaosDb(), ws.workspaceId);
        const reply = await b.request("/api/v1/usage/batch", { key: ws.key, body });
        expectSane(reply, JSON.stringify(body).slice(0, 200));
        if (!batchRequestSchema.safeParse(body).success) {
          expect(reply.status).toBe(400);
          expect(await written(chaosDb(), ws.workspaceId)).toEqual(before);
          return;
        }
        expect(reply.status).toBe(200);
        const evs = (body as { events: { units?: unknown }[] }).events;
        let ok = 0;
        for (const r of reply.json.results as { index: number; status: number; answer?: { units: number } }[]) {
          expect(r.status).toBeLessThan(500);
          if (r.status === 200) {
            accepted = accepted.plus(unitsOf(evs[r.index]!, { json: r.answer } as Reply));
            ok++;
          }
        }
        acceptedEvents += ok;
        expect((await written(chaosDb(), ws.workspaceId)).events).toBe(before.events + ok);
      }),
      { numRuns: 100 },
    );
  });

  it("refuses a fixed list of nasty values with 4xx and writes nothing", async () => {
    const megabyte = "x".repeat(1024 * 1024);
    const ok = { feature: "compute", units: 1 };
    const cases: { name: string; raw?: string; body?: unknown; headers?: Record<string, string>; status: number }[] = [
      { name: "negative units", body: { ...ok, units: -1, idempotencyKey: "n1" }, status: 400 },
      { name: "negative decimal string", body: { ...ok, units: "-0.5", idempotencyKey: "n2" }, status: 400 },
      { name: "NaN literal", raw: '{"feature":"compute","units":NaN,"idempotencyKey":"n3"}', status: 400 },
      { name: "NaN as a string", body: { ...ok, units: "NaN", idempotencyKey: "n4" }, status: 400 },
      { name: "Infinity literal", raw: '{"feature":"compute","units":Infinity,"idempotencyKey":"n5"}', status: 400 },
      { name: "1e308", raw: '{"feature":"compute","units":1e308,"idempotencyKey":"n6"}', status: 400 },
      { name: "1e309 (overflows to Infinity)", raw: '{"feature":"compute","units":1e309,"idempotencyKey":"n7"}', status: 400 },
      { name: "above 2^63 as a number", raw: '{"feature":"compute","units":9223372036854775808,"idempotencyKey":"n8"}', status: 400 },
      { name: "above 2^63 as a string", body: { ...ok, units: "9223372036854775808", idempotencyKey: "n9" }, status: 400 },
      { name: "above 2^64 as a string", body: { ...ok, units: "18446744073709551617", idempotencyKey: "n10" }, status: 400 },
      { name: "a 1 MB feature", body: { ...ok, feature: megabyte, idempotencyKey: "n11" }, status: 413 },
      { name: "a 1 MB idempotency key (just under the body limit)", body: { ...ok, idempotencyKey: megabyte.slice(0, 1024 * 1024 - 100) }, status: 400 },
      { name: "a 1 MB metadata string", body: { ...ok, idempotencyKey: "n12", metadata: { pad: megabyte.slice(0, 1024 * 1024 - 200) } }, status: 400 },
      { name: "a 1 MB unknown key", body: { ...ok, idempotencyKey: "n13", [megabyte.slice(0, 1000)]: megabyte.slice(0, 1024 * 1000) }, status: 400 },
      { name: "extra keys", body: { ...ok, idempotencyKey: "n14", workspaceId: ws?.workspaceId ?? "x", admin: true }, status: 400 },
      { name: "__proto__ key", raw: '{"feature":"compute","units":1,"idempotencyKey":"n15","__proto__":{"units":5}}', status: 400 },
      { name: "duplicate keys", raw: '{"feature":"compute","units":1,"units":-1,"idempotencyKey":"n16"}', status: 400 },
      { name: "text/plain", raw: JSON.stringify({ ...ok, idempotencyKey: "n17" }), headers: { "content-type": "text/plain" }, status: 415 },
      { name: "form-encoded", raw: "feature=compute&units=1&idempotencyKey=n18", headers: { "content-type": "application/x-www-form-urlencoded" }, status: 415 },
      { name: "no content type", raw: JSON.stringify({ ...ok, idempotencyKey: "n19" }), headers: { "content-type": "" }, status: 415 },
      { name: "multipart", raw: "--x\r\n\r\n1\r\n--x--", headers: { "content-type": "multipart/form-data; boundary=x" }, status: 415 },
      { name: "control characters in the feature", body: { ...ok, feature: "comp\u0000ute", idempotencyKey: "n20" }, status: 400 },
      { name: "control characters in the key", body: { ...ok, idempotencyKey: "n21\u0000\u0007\u001b" }, status: 400 },
      { name: "right-to-left override in the key", body: { ...ok, idempotencyKey: "n22\u202e" }, status: 400 },
      { name: "a lone surrogate in the key", raw: '{"feature":"compute","units":1,"idempotencyKey":"n23\\ud800"}', status: 400 },
      { name: "invalid UTF-8 bytes", raw: Buffer.concat([Buffer.from('{"feature":"compute","units":1,"idempotencyKey":"n24'), Buffer.from([0xff, 0xfe]), Buffer.from('"}')]).toString("latin1"), status: 400 },
    ];
    for (const c of cases) {
      const before = await written(chaosDb(), ws.workspaceId);
      const reply = await a.request("/api/v1/usage", { key: ws.key, body: c.body, raw: c.raw, headers: c.raw !== undefined ? { "content-type": "application/json", ...c.headers } : c.headers });
      expectSane(reply, c.name);
      expect(reply.status, c.name).toBe(c.status);
      expect(await written(chaosDb(), ws.workspaceId), c.name).toEqual(before);
    }
  });

  it("stores control characters, NUL and lone surrogates in metadata safely, or refuses them: never a 5xx", async () => {
    const metadata = [{ note: "nul \u0000 inside" }, { "\u0000key": 1 }, { note: "bell \u0007 esc \u001b" }, { note: "lone \ud800 surrogate" }, { nested: { deep: ["\u202e", "\ufeff", "\u0000"] } }];
    for (const [i, m] of metadata.entries()) {
      const before = await written(chaosDb(), ws.workspaceId);
      const reply = await b.request("/api/v1/usage", { key: ws.key, body: { feature: "compute", units: 1, idempotencyKey: `meta-${i}-${crypto.randomUUID()}`, metadata: m } });
      expectSane(reply, JSON.stringify(m));
      if (reply.status === 200) {
        accepted = accepted.plus(1);
        acceptedEvents++;
      } else {
        expect(reply.status, JSON.stringify(m)).toBe(400);
        expect(await written(chaosDb(), ws.workspaceId)).toEqual(before);
      }
    }
  });

  it("counts exactly the units it accepted", async () => {
    const w = await written(chaosDb(), ws.workspaceId);
    expect(w.events).toBe(acceptedEvents);
    expect(toDec(w.used).toFixed()).toBe(accepted.toFixed());
  });
});
