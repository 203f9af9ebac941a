import { afterAll, describe, expect, it } from "vitest";
import { topupExtras } from "@/lib/billing";
import { readExact } from "./exact";
import { api, closeAll, seedWorkspace, tallyClient, testDb, uid } from "./helpers";

afterAll(closeAll);

// The typed client asked for the answer's text, read by an exact-decimal JSON reader, as the client's README says.
async function exactly(res: Promise<{ data?: string; response: Response }>) {
  const { data, response } = await res;
  return { status: response.status, headers: response.headers, text: data!, json: JSON.parse(data!) };
}

// A quota and a balance with more significant digits than a double holds (17): through Number() they
// would come back rounded (123456789012.123456 as 123456789012.12346).
async function bigWorkspace() {
  const ws = await seedWorkspace({ compute: { limit: "999999999999999", overflow: "block" } });
  await topupExtras(testDb(), {
    workspaceId: ws.workspaceId,
    pack: "compute_500",
    units: "987654321098.765432",
    checkoutSessionId: `cs_${uid()}`,
    expiresAt: new Date(Date.now() + 10 * 86_400_000),
  });
  return ws;
}

describe("amounts in answers are JSON numbers with every digit", () => {
  it("usage and its replay", async () => {
    const { key } = await bigWorkspace();
    const tally = tallyClient(key);
    const body = { feature: "compute", units: "123456789012.123456", idempotencyKey: `big-${uid()}` };
    const r = await exactly(tally.raw.POST("/api/v1/usage", { body, parseAs: "text" }));
    expect(r.status).toBe(200);
    expect(r.text).toContain('"units":123456789012.123456,"remaining":999876543210986.876544,"extrasRemaining":987654321098.765432,');
    expect(readExact(r.text)).toEqual({
      allowed: true,
      feature: "compute",
      units: "123456789012.123456",
      remaining: "999876543210986.876544",
      extrasRemaining: "987654321098.765432",
      resetsAt: expect.any(String),
    });
    // Still numbers for a plain JSON reader: the shape is unchanged.
    expect(r.json).toMatchObject({ units: expect.any(Number), remaining: expect.any(Number), extrasRemaining: expect.any(Number) });
    expect(r.headers.get("x-quota-remaining")).toBe("999876543210986.876544");
    const again = await exactly(tally.raw.POST("/api/v1/usage", { body, parseAs: "text" }));
    expect(again.text).toBe(r.text);
  });

  it("a refusal's details", async () => {
    const { key } = await bigWorkspace();
    await api.request("/api/v1/usage", { key, body: { feature: "compute", units: "123456789012.123456", idempotencyKey: uid() } });
    const r = await api.request("/api/v1/usage", { key, body: { feature: "compute", units: "9007199254740991", idempotencyKey: uid() } });
    expect(r.status).toBe(402);
    expect(readExact(r.text)).toMatchObject({
      error: { code: "quota_exhausted", details: { units: "9007199254740991", remaining: "999876543210986.876544", extrasRemaining: "987654321098.765432" } },
    });
    expect(r.headers["x-quota-remaining"]).toBe("999876543210986.876544");
  });

  it("check", async () => {
    const { key } = await bigWorkspace();
    const tally = tallyClient(key);
    await tally.recordUsage({ feature: "compute", units: "123456789012.123456" });
    const r = await exactly(tally.raw.POST("/api/v1/check", { body: { feature: "compute", units: "0.000001" }, parseAs: "text" }));
    expect(r.status).toBe(200);
    expect(readExact(r.text)).toMatchObject({ allowed: true, units: "0.000001", remaining: "999876543210986.876544", extrasRemaining: "987654321098.765432" });
  });

  it("batch results, accepted and refused", async () => {
    const { key } = await bigWorkspace();
    const run = uid();
    const r = await exactly(tallyClient(key).raw.POST("/api/v1/usage/batch", {
      parseAs: "text",
      body: {
        events: [
          { feature: "compute", units: "123456789012.123456", idempotencyKey: `${run}-a` },
          { feature: "compute", units: "9007199254740991", idempotencyKey: `${run}-b` },
          { feature: "compute", units: "0.000001", idempotencyKey: `${run}-c` },
        ],
      },
    }));
    expect(r.status).toBe(200);
    const { results } = readExact(r.text) as { results: { status: string; answer?: object; error?: { details: object } }[] };
    expect(results.map((x) => x.status)).toEqual(["200", "402", "200"]);
    expect(results[0]!.answer).toMatchObject({ units: "123456789012.123456", remaining: "999876543210986.876544", extrasRemaining: "987654321098.765432" });
    expect(results[1]!.error!.details).toMatchObject({ units: "9007199254740991", remaining: "999876543210986.876544", extrasRemaining: "987654321098.765432" });
    expect(results[2]!.answer).toMatchObject({ units: "0.000001", remaining: "999876543210986.876543" });
  });

  it("limitations: every entitlement's limit, used and remaining, and the extras", async () => {
    const { key } = await bigWorkspace();
    const tally = tallyClient(key);
    await tally.recordUsage({ feature: "compute", units: "123456789012.123456" });
    const r = await exactly(tally.raw.GET("/api/v1/limitations", { parseAs: "text" }));
    expect(r.status).toBe(200);
    const l = readExact(r.text) as { entitlements: { feature: string }[]; extras: object };
    expect(l.entitlements.find((e) => e.feature === "compute")).toMatchObject({ limit: "999999999999999", used: "123456789012.123456", remaining: "999876543210986.876544" });
    expect(l.extras).toEqual({ balance: "987654321098.765432", usable: "987654321098.765432", expiringSoon: [{ remaining: "987654321098.765432", expiresAt: expect.any(String) }] });
    expect(r.json.extras.balance).toEqual(expect.any(Number));
  });

  it("an amount sent as a JSON number with more digits than a double holds is recorded as sent", async () => {
    const { workspaceId, key } = await bigWorkspace();
    const headers = { "content-type": "application/json" };
    const raw = `{"feature":"compute","units":123456789012.123456,"idempotencyKey":"${uid()}"}`;
    const r = await api.request("/api/v1/usage", { key, headers, raw });
    expect(r.status).toBe(200);
    expect(readExact(r.text)).toMatchObject({ units: "123456789012.123456", remaining: "999876543210986.876544" });
    expect((await api.request("/api/v1/usage", { key, headers, raw })).text).toBe(r.text);
    const b = await api.request("/api/v1/usage/batch", { key, headers, raw: `{"events":[{"feature":"compute","units":100000000000.000001,"idempotencyKey":"${uid()}"}]}` });
    expect(readExact(b.text)).toMatchObject({ results: [{ status: "200", answer: { units: "100000000000.000001" } }] });
    const events = await testDb().usageEvent.findMany({ where: { workspaceId }, orderBy: { createdAt: "asc" } });
    expect(events.map((e) => e.units.toFixed()).sort()).toEqual(["100000000000.000001", "123456789012.123456"]);
  });
});
