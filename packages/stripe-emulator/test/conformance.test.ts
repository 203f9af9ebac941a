import Stripe from "stripe";
import { describe, expect, it } from "vitest";
import { advanceTestClock, emulatorPerFile, type Catalog, type TestEnv } from "../src/testing";
import { collectObjects } from "./collect-objects";
import { FIXTURE_KEYS, PINNED_API_VERSION, PINNED_KEYS } from "./stripe-keys";

let env: TestEnv;
let catalog: Catalog;
emulatorPerFile((e, c) => {
  env = e;
  catalog = c;
});

/** Every object nested anywhere in `value` that names its type, with the path it was found at. */
function nestedObjects(value: unknown, path = "$", out: { path: string; object: Record<string, unknown> }[] = []) {
  if (Array.isArray(value)) value.forEach((v, i) => nestedObjects(v, `${path}[${i}]`, out));
  else if (value && typeof value === "object") {
    const obj = value as Record<string, unknown>;
    if (typeof obj.object === "string" && PINNED_KEYS[obj.object]) out.push({ path, object: obj });
    for (const [k, v] of Object.entries(obj)) nestedObjects(v, `${path}.${k}`, out);
  }
  return out;
}

/** Keys of `object` the pinned API version does not have. */
function removedKeys(object: Record<string, unknown>): string[] {
  const pinned = new Set(PINNED_KEYS[object.object as string]);
  return Object.keys(object).filter((k) => k !== "lastResponse" && !pinned.has(k));
}

describe("objects as Stripe's fixtures show them, at the pinned API version", () => {
  it("the SDK pins the API version the key lists were read for", () => {
    expect(Stripe.API_VERSION).toBe(PINNED_API_VERSION);
  });

  it("every object type the app reads carries at least 95% of the fixture's top-level keys", async () => {
    const objects = await collectObjects(env, catalog);
    expect(Object.keys(objects).sort()).toEqual(Object.keys(FIXTURE_KEYS).sort());
    const coverage = Object.entries(objects).map(([type, object]) => {
      const expected = FIXTURE_KEYS[type]!;
      const missing = expected.filter((k) => !(k in object));
      return { type, object: object.object, share: (expected.length - missing.length) / expected.length, missing };
    });
    for (const c of coverage) expect(c.object).toBe(c.type);
    expect(coverage.filter((c) => c.share < 0.95)).toEqual([]);
  });

  it("no object carries a field the pinned version removed, in answers or in events", async () => {
    const objects = await collectObjects(env, catalog);
    // A renewal too: its events carry the previous period in previous_attributes.
    const clock = objects["test_helpers.test_clock"]!;
    await advanceTestClock(env.stripe, clock.id as string, (clock.frozen_time as number) + 32 * 86_400);
    const answers = Object.values(objects).flatMap((o) => nestedObjects(o));
    const events: Stripe.Event[] = [];
    for await (const e of env.stripe.events.list({ limit: 100 })) events.push(e);
    expect(events.map((e) => e.type)).toContain("invoice.paid");
    expect(events.length).toBeGreaterThan(20);
    const inEvents = events.flatMap((e) => nestedObjects(e, e.type));
    expect([...answers, ...inEvents].map(({ path, object }) => ({ path, removed: removedKeys(object) })).filter((f) => f.removed.length > 0)).toEqual([]);
    // previous_attributes only name fields of the object they describe.
    const stale = events.filter((e) => e.data.previous_attributes).flatMap((e) => {
      const pinned = new Set(PINNED_KEYS[(e.data.object as { object: string }).object] ?? []);
      return Object.keys(e.data.previous_attributes!).filter((k) => pinned.size > 0 && !pinned.has(k)).map((k) => `${e.type}: ${k}`);
    });
    expect(stale).toEqual([]);
  });
});
