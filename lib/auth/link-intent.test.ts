import { describe, expect, it } from "vitest";
import { openLinkIntent, sealLinkIntent } from "./link-intent";

const SECRET = "test-secret-0123456789abcdef";

describe("link intent", () => {
  it("opens only for its provider, unexpired, with the right secret", () => {
    const v = sealLinkIntent(SECRET, { uid: "u1", sv: 3, provider: "google" }, 1_000_000);
    expect(openLinkIntent(SECRET, v, "google", 1_000_000)).toMatchObject({ uid: "u1", sv: 3, provider: "google" });
    expect(openLinkIntent(SECRET, v, "github", 1_000_000)).toBeNull();
    expect(openLinkIntent(SECRET, v, "google", 1_000_000 + 11 * 60_000)).toBeNull();
    expect(openLinkIntent("another-secret-0123456789", v, "google", 1_000_000)).toBeNull();
  });

  it("refuses a changed body or a missing value", () => {
    const v = sealLinkIntent(SECRET, { uid: "u1", sv: 3, provider: "google" });
    const [, sig] = v.split(".");
    const forged = `${Buffer.from(JSON.stringify({ uid: "u2", sv: 3, provider: "google", exp: 9e9 })).toString("base64url")}.${sig}`;
    expect(openLinkIntent(SECRET, forged, "google")).toBeNull();
    expect(openLinkIntent(SECRET, undefined, "google")).toBeNull();
    expect(openLinkIntent(SECRET, "garbage", "google")).toBeNull();
  });
});
