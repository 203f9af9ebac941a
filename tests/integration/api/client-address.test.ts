// The bad-key limiter counts each client by the address the connection came from; X-Forwarded-For,
// which the client writes, is read only as far as TRUST_PROXY allows (unset here: not at all).
import type { IncomingMessage } from "node:http";
import { describe, expect, it } from "vitest";
import { requireApiKey } from "@/lib/api/auth";
import { createApiKey, FAILURE_LIMIT } from "@/lib/api-keys";
import { db } from "@/lib/db";
import { newOwner } from "../../helpers/factories";
import { codeOf } from "../../helpers/app-errors";

/** A request as Node's HTTP server hands it over: headers as sent, the TCP peer on the socket. */
const request = (peer: string, headers: Record<string, string>) => ({ headers, socket: { remoteAddress: peer } }) as unknown as IncomingMessage;
const peer = () => `::ffff:198.51.100.${Math.floor(Math.random() * 250) + 1}-${crypto.randomUUID().slice(0, 8)}`;
const badKey = `tk_live_00000000_${"Q".repeat(43)}`;

describe("bad-key limiter and forwarded addresses", () => {
  it("a new X-Forwarded-For on every attempt does not dodge the limit", async () => {
    const attacker = peer();
    const codes: string[] = [];
    for (let i = 0; i < FAILURE_LIMIT + 3; i++) {
      codes.push(await codeOf(requireApiKey(request(attacker, { authorization: `Bearer ${badKey}`, "x-forwarded-for": `203.0.113.${i}` }))));
    }
    expect(codes).toEqual([...Array(FAILURE_LIMIT).fill("unauthorized"), "rate_limited", "rate_limited", "rate_limited"]);
  });

  it("failures sent in a victim's name do not lock the victim out", async () => {
    const { workspace } = await newOwner();
    const key = await createApiKey(db(), { workspaceId: workspace.id, name: "victim" });
    const victim = peer();
    const attacker = peer();
    for (let i = 0; i < FAILURE_LIMIT + 2; i++) {
      await codeOf(requireApiKey(request(attacker, { authorization: `Bearer ${badKey}`, "x-forwarded-for": victim })));
    }
    expect(await codeOf(requireApiKey(request(victim, { authorization: `Bearer ${key.secret}` })))).toBe("ok");
    expect(await codeOf(requireApiKey(request(victim, { authorization: `Bearer ${key.secret}`, "x-forwarded-for": victim })))).toBe("ok");
    // The attacker's own address carries the count.
    expect(await codeOf(requireApiKey(request(attacker, { authorization: `Bearer ${badKey}` })))).toBe("rate_limited");
  });

  it("a valid key is served even from an address over its failure limit", async () => {
    const { workspace } = await newOwner();
    const key = await createApiKey(db(), { workspaceId: workspace.id, name: "shared office" });
    const office = peer();
    for (let i = 0; i <= FAILURE_LIMIT; i++) await codeOf(requireApiKey(request(office, { authorization: `Bearer ${badKey}` })));
    expect(await codeOf(requireApiKey(request(office, { authorization: `Bearer ${badKey}` })))).toBe("rate_limited");
    expect(await requireApiKey(request(office, { authorization: `Bearer ${key.secret}` }))).toEqual({ keyId: key.id, workspaceId: workspace.id });
  });
});
