import { describe, expect, it } from "vitest";
import { clientAddress, parseTrustProxy, type TrustProxy } from "./client-address";

const none: TrustProxy = { kind: "none" };
const hops = (n: number): TrustProxy => ({ kind: "hops", hops: n });
const at = (forwardedFor: string | undefined, trust: TrustProxy, peerAddress = "10.0.0.2") => clientAddress({ forwardedFor, peerAddress }, trust);

describe("TRUST_PROXY", () => {
  it("accepts unset, vercel and a number of proxies, nothing else", () => {
    expect(parseTrustProxy(undefined)).toEqual(none);
    expect(parseTrustProxy("")).toEqual(none);
    expect(parseTrustProxy("0")).toEqual(none);
    expect(parseTrustProxy("vercel")).toEqual({ kind: "vercel" });
    expect(parseTrustProxy(" Vercel ")).toEqual({ kind: "vercel" });
    expect(parseTrustProxy("1")).toEqual(hops(1));
    expect(parseTrustProxy("3")).toEqual(hops(3));
    for (const bad of ["true", "yes", "-1", "1.5", "11", "10.0.0.1", "loopback"]) expect(parseTrustProxy(bad)).toBeNull();
  });
});

describe("client address", () => {
  it("trusting no proxy: the TCP peer, whatever X-Forwarded-For claims", () => {
    expect(at("203.0.113.9", none)).toBe("10.0.0.2");
    expect(at("203.0.113.9, 198.51.100.1", none)).toBe("10.0.0.2");
    expect(at(undefined, none)).toBe("10.0.0.2");
    expect(at(undefined, none, "::ffff:192.0.2.4")).toBe("192.0.2.4");
    expect(at(undefined, none, "::1")).toBe("::1");
    expect(clientAddress({ forwardedFor: undefined, peerAddress: undefined }, none)).toBe("unknown");
  });

  it("N proxies: the N-th entry from the right, so entries the client wrote on the left are never read", () => {
    // Client 198.51.100.7 sent a forged list; its one proxy appended the address it saw.
    expect(at("1.2.3.4, 198.51.100.7", hops(1))).toBe("198.51.100.7");
    expect(at("198.51.100.7", hops(1))).toBe("198.51.100.7");
    // Two proxies: the outer one appended the client, the inner one appended the outer one.
    expect(at("1.2.3.4, 198.51.100.7, 10.1.1.1", hops(2))).toBe("198.51.100.7");
    expect(at(" 1.2.3.4 ,198.51.100.7 ,10.1.1.1 ", hops(2))).toBe("198.51.100.7");
    expect(at("198.51.100.7, 10.1.1.1", hops(2))).toBe("198.51.100.7");
  });

  it("N proxies but fewer entries, or an empty one: the TCP peer", () => {
    expect(at(undefined, hops(1))).toBe("10.0.0.2");
    expect(at("", hops(1))).toBe("10.0.0.2");
    expect(at("198.51.100.7", hops(2))).toBe("10.0.0.2");
    expect(at("198.51.100.7, ", hops(1))).toBe("10.0.0.2");
  });

  it("vercel: the address Vercel's edge wrote, the rightmost entry", () => {
    expect(at("198.51.100.7", { kind: "vercel" })).toBe("198.51.100.7");
    expect(at("1.2.3.4, 198.51.100.7", { kind: "vercel" })).toBe("198.51.100.7");
    expect(at("::ffff:198.51.100.7", { kind: "vercel" })).toBe("198.51.100.7");
  });
});
