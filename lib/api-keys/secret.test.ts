import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { generateSecret, hashSecret, looksLikeKey, sameHash } from "./secret";

describe("hashSecret", () => {
  // Stored key hashes must never change: a different digest would lock every existing key out.
  it("is the hex SHA-256 of the key's UTF-8 text", () => {
    expect(hashSecret("abc")).toBe("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    const { secret, hash } = generateSecret();
    expect(looksLikeKey(secret)).toBe(true);
    expect(hash).toBe(createHash("sha256").update(secret, "utf8").digest("hex"));
    expect(hashSecret("clé")).toBe(createHash("sha256").update("clé", "utf8").digest("hex"));
  });

  it("compares digests only when they match exactly", () => {
    const { hash } = generateSecret();
    expect(sameHash(hash, hash)).toBe(true);
    expect(sameHash(hash, hashSecret("other"))).toBe(false);
    expect(sameHash(hash, hash.slice(2))).toBe(false);
  });
});
