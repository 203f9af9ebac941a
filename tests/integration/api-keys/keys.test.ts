import { describe, expect, it } from "vitest";
import { db } from "@/lib/db";
import { authenticateApiKey, createApiKey, FAILURE_LIMIT, hashSecret, listApiKeys, MAX_ACTIVE_KEYS, revokeApiKey } from "@/lib/api-keys";
import { newOwner } from "../../helpers/factories";
import { codeOf } from "../../helpers/app-errors";

const client = () => `it-${crypto.randomUUID()}`;

describe("API keys", () => {
  it("stores only a SHA-256 of the secret and shows the prefix", async () => {
    const { user, workspace } = await newOwner();
    const key = await createApiKey(db(), { workspaceId: workspace.id, name: "  Backend  ", createdById: user.id });
    expect(key.secret).toMatch(/^tk_live_[0-9a-f]{8}_[A-Za-z0-9_-]{43}$/);
    expect(key.prefix).toBe(key.secret.slice(0, 16));
    const row = await db().apiKey.findUniqueOrThrow({ where: { id: key.id } });
    expect(row.hash).toBe(hashSecret(key.secret));
    expect(JSON.stringify(row)).not.toContain(key.secret.slice(17));
    expect(row.name).toBe("Backend");
    expect(await listApiKeys(db(), workspace.id)).toEqual([
      {
        id: key.id,
        name: "Backend",
        prefix: key.prefix,
        createdAt: row.createdAt,
        lastUsedAt: null,
        revokedAt: null,
        createdBy: { id: user.id, email: user.email, name: user.name, role: "OWNER" },
        creatorLostAccess: false,
      },
    ]);
  });

  it("authenticates to its workspace, and refuses it once revoked", async () => {
    const { workspace } = await newOwner();
    const key = await createApiKey(db(), { workspaceId: workspace.id, name: "k" });
    expect(await authenticateApiKey(db(), { secret: key.secret, clientKey: client() })).toEqual({ keyId: key.id, workspaceId: workspace.id });
    await revokeApiKey(db(), { workspaceId: workspace.id, keyId: key.id });
    expect(await codeOf(authenticateApiKey(db(), { secret: key.secret, clientKey: client() }))).toBe("unauthorized");
    // One character off is a different hash: unknown.
    const altered = key.secret.slice(0, -1) + (key.secret.endsWith("A") ? "B" : "A");
    expect(await codeOf(authenticateApiKey(db(), { secret: altered, clientKey: client() }))).toBe("unauthorized");
  });

  it("another workspace cannot revoke or list a key", async () => {
    const a = await newOwner("a");
    const b = await newOwner("b");
    const key = await createApiKey(db(), { workspaceId: a.workspace.id, name: "k" });
    expect(await codeOf(revokeApiKey(db(), { workspaceId: b.workspace.id, keyId: key.id }))).toBe("not_found");
    expect(await listApiKeys(db(), b.workspace.id)).toEqual([]);
    expect((await db().apiKey.findUniqueOrThrow({ where: { id: key.id } })).revokedAt).toBeNull();
  });

  it("advances lastUsedAt at most once a minute", async () => {
    const { workspace } = await newOwner();
    const key = await createApiKey(db(), { workspaceId: workspace.id, name: "k" });
    const t0 = new Date("2026-11-20T10:00:00.000Z");
    const at = async (ms: number) => {
      await authenticateApiKey(db(), { secret: key.secret, clientKey: client(), now: new Date(t0.getTime() + ms) });
      return (await db().apiKey.findUniqueOrThrow({ where: { id: key.id } })).lastUsedAt?.toISOString();
    };
    expect(await at(0)).toBe("2026-11-20T10:00:00.000Z");
    expect(await at(30_000)).toBe("2026-11-20T10:00:00.000Z");
    expect(await at(59_999)).toBe("2026-11-20T10:00:00.000Z");
    expect(await at(60_000)).toBe("2026-11-20T10:01:00.000Z");
  });

  it(`refuses a client's bad keys after ${FAILURE_LIMIT} of them until its window ends, counting in the database`, async () => {
    const { workspace } = await newOwner();
    const key = await createApiKey(db(), { workspaceId: workspace.id, name: "k" });
    const who = client();
    const now = new Date("2026-11-20T10:00:10.000Z");
    const codes: string[] = [];
    for (let i = 0; i <= FAILURE_LIMIT; i++) codes.push(await codeOf(authenticateApiKey(db(), { secret: `tk_live_deadbeef_${"x".repeat(43)}`, clientKey: who, now })));
    expect(codes).toEqual([...Array(FAILURE_LIMIT).fill("unauthorized"), "rate_limited"]);
    const blocked = await authenticateApiKey(db(), { secret: `tk_live_deadbeef_${"y".repeat(43)}`, clientKey: who, now }).catch((e) => e);
    expect(blocked.code).toBe("rate_limited");
    expect(blocked.details.retryAfter).toBe(50);
    // A valid key from the same client is never refused because of failures counted against its address.
    expect(await codeOf(authenticateApiKey(db(), { secret: key.secret, clientKey: who, now }))).toBe("ok");
    // The next window starts clean.
    expect(await codeOf(authenticateApiKey(db(), { secret: `tk_live_deadbeef_${"y".repeat(43)}`, clientKey: who, now: new Date("2026-11-20T10:01:00.000Z") }))).toBe("unauthorized");
  });

  it("refuses an empty name", async () => {
    const { workspace } = await newOwner();
    expect(await codeOf(createApiKey(db(), { workspaceId: workspace.id, name: "   " }))).toBe("invalid_request");
  });

  it(`holds the cap of ${MAX_ACTIVE_KEYS} active keys when creations race`, async () => {
    const { workspace } = await newOwner();
    for (let i = 0; i < MAX_ACTIVE_KEYS - 4; i++) await createApiKey(db(), { workspaceId: workspace.id, name: `k${i}` });
    // Ten at once for the last four places: without the workspace's lock several pass the same count.
    const results = await Promise.allSettled(Array.from({ length: 10 }, (_, i) => createApiKey(db(), { workspaceId: workspace.id, name: `race${i}` })));
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(4);
    for (const r of results) if (r.status === "rejected") expect((r.reason as { code?: string }).code).toBe("conflict");
    expect(await db().apiKey.count({ where: { workspaceId: workspace.id, revokedAt: null } })).toBe(MAX_ACTIVE_KEYS);
  });
});
