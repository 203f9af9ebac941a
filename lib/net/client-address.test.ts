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
    expect(at(undefined, none, "::1")).toBe("0:0:0:0::/64");
    expect(clientAddress({ forwardedFor: undefined, peerAddress: undefined }, none)).toBe("unknown");
  });

  it("an IPv6 client is counted by its /64, whichever address of it it sends from", () => {
    const hops = { kind: "hops", hops: 1 } as const;
    for (const a of ["2001:db8:1:2::1", "2001:0db8:0001:0002:ffff:ffff:ffff:ffff", "2001:DB8:1:2:a:b:c:d", "2001:db8:1:2::9%eth0"]) {
      expect(at(a, hops), a).toBe("2001:db8:1:2::/64");
    }
    expect(at("2001:db8:1:3::1", hops)).toBe("2001:db8:1:3::/64");
    expect(at("2001:db8::1", hops)).toBe("2001:db8:0:0::/64");
    expect(at("64:ff9b::192.0.2.1", hops)).toBe("64:ff9b:0:0::/64");
    expect(at("fe80::1:2:3:4", hops)).toBe("fe80:0:0:0::/64");
    // Not an address: kept as sent (bounded), as before.
    expect(at("not-an-ip", hops)).toBe("not-an-ip");
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
