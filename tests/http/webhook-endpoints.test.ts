import { afterAll, describe, expect, it } from "vitest";
import { TallyApiError } from "@tally/client";
import { createPlatformKey } from "@/lib/platform-keys";
import { EVENT_TYPE_LIST } from "@/lib/webhooks/event-types";
import { closeAll, seedWorkspace, tallyClient, testDb, uid } from "./helpers";

afterAll(closeAll);

const operator = { kind: "operator" as const, id: null, email: "ops@example.test" };
const platformClient = async () => tallyClient((await testDb().$transaction((tx) => createPlatformKey(tx, operator, { name: `hooks ${uid()}` }))).secret);
const failure = (p: Promise<unknown>) => p.then(() => null, (e: unknown) => (e instanceof TallyApiError ? [e.status, e.code] : e));

describe("webhook endpoints by API", () => {
  it("are created once per idempotency key, the secret shown only in the creation's answer", async () => {
    const tally = await platformClient();
    const url = `https://hooks-${uid()}.example.test/tally`;
    const key = `create_${uid()}`;
    const [a, b] = await Promise.all([
      tally.webhookEndpoints.create({ url, description: "Production", idempotencyKey: key }),
      tally.webhookEndpoints.create({ url, description: "Production", idempotencyKey: key }),
    ]);
    expect(a).toMatchObject({ url, description: "Production", eventTypes: EVENT_TYPE_LIST, enabled: true, disabledReason: null });
    expect(a.secret).toMatch(/^whsec_/);
    expect(b).toEqual(a);
    expect(await testDb().webhookEndpoint.count({ where: { url } })).toBe(1);
    expect(await failure(tally.webhookEndpoints.create({ url, description: "Staging", idempotencyKey: key }))).toEqual([409, "idempotency_conflict"]);

    // Without a key of its own the client adds one per call: two calls, two endpoints.
    const other = await tally.webhookEndpoints.create({ url, eventTypes: ["invoice.paid"] });
    expect(other.id).not.toBe(a.id);
    expect(other.eventTypes).toEqual(["invoice.paid"]);

    const listed = await tally.webhookEndpoints.list();
    expect(listed.find((e) => e.id === a.id)).toEqual(Object.fromEntries(Object.entries(a).filter(([k]) => k !== "secret")));
    expect(JSON.stringify(listed)).not.toContain("whsec_");
    expect(await tally.webhookEndpoints.get(a.id)).not.toHaveProperty("secret");
  });

  it("are changed and deleted with the console's rules, and audited as the API's", async () => {
    const tally = await platformClient();
    const created = await tally.webhookEndpoints.create({ url: `https://hooks-${uid()}.example.test/a` });
    expect(await failure(tally.webhookEndpoints.create({ url: "ftp://files.example.test/hooks" }))).toEqual([400, "invalid_request"]);
    expect(await failure(tally.webhookEndpoints.update(created.id, { url: "not a url" }))).toEqual([400, "invalid_request"]);

    const disabled = await tally.webhookEndpoints.update(created.id, { enabled: false, eventTypes: ["billing.past_due", "invoice.paid"], description: "Billing" });
    expect(disabled).toMatchObject({ enabled: false, eventTypes: ["billing.past_due", "invoice.paid"], description: "Billing", disabledReason: "Disabled by a platform key." });
    const enabled = await tally.webhookEndpoints.update(created.id, { enabled: true });
    expect(enabled).toMatchObject({ enabled: true, disabledReason: null, disabledAt: null });

    expect(await tally.webhookEndpoints.delete(created.id)).toEqual({ id: created.id, deleted: true });
    expect(await failure(tally.webhookEndpoints.get(created.id))).toEqual([404, "not_found"]);
    expect(await failure(tally.webhookEndpoints.delete(created.id))).toEqual([404, "not_found"]);

    const audit = await testDb().auditLog.findMany({ where: { subjectId: created.id }, orderBy: { seq: "asc" } });
    expect(audit.map((a) => [a.action, a.actorKind])).toEqual([
      ["webhook_endpoint.created", "api"], ["webhook_endpoint.updated", "api"], ["webhook_endpoint.updated", "api"], ["webhook_endpoint.deleted", "api"],
    ]);
  });

  it("refuse a workspace key (403) on every method", async () => {
    const { key } = await seedWorkspace();
    const tally = tallyClient(key);
    const id = "we_000000000000000000000000";
    expect(await failure(tally.webhookEndpoints.list())).toEqual([403, "forbidden"]);
    expect(await failure(tally.webhookEndpoints.create({ url: "https://x.example.test/h" }))).toEqual([403, "forbidden"]);
    expect(await failure(tally.webhookEndpoints.get(id))).toEqual([403, "forbidden"]);
    expect(await failure(tally.webhookEndpoints.update(id, { enabled: false }))).toEqual([403, "forbidden"]);
    expect(await failure(tally.webhookEndpoints.delete(id))).toEqual([403, "forbidden"]);
    expect(await failure(tallyClient("tk_live_nope").webhookEndpoints.list())).toEqual([401, "unauthorized"]);
  });
});
