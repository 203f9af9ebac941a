import { describe, expect, it } from "vitest";
import { limiterAddress } from "./client-address";

const h = (xff?: string) => new Headers(xff === undefined ? {} : { "x-forwarded-for": xff });

describe("limiterAddress", () => {
  it("takes no address without a trusted proxy: X-Forwarded-For is then the client's own word", () => {
    expect(limiterAddress(h("203.0.113.9"), { kind: "none" })).toBeNull();
    expect(limiterAddress(h(), { kind: "none" })).toBeNull();
  });

  it("takes the entry the trusted proxies wrote, never one the client put in front", () => {
    expect(limiterAddress(h("6.6.6.6, 203.0.113.9"), { kind: "vercel" })).toBe("203.0.113.9");
    expect(limiterAddress(h("6.6.6.6, 203.0.113.9, 10.0.0.2"), { kind: "hops", hops: 2 })).toBe("203.0.113.9");
  });

  it("takes none when the request did not pass through every trusted proxy", () => {
    expect(limiterAddress(h("203.0.113.9"), { kind: "hops", hops: 2 })).toBeNull();
    expect(limiterAddress(h(), { kind: "vercel" })).toBeNull();
  });
});
