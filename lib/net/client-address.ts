/**
 * The client's address, for limits that count per client. No framework imports.
 *
 * X-Forwarded-For is a list the client starts and each proxy appends to, so only the entries written by
 * proxies this deployment runs behind can be believed: the N-th from the right with N proxies in front.
 * Anything further left is whatever the client chose to send. TRUST_PROXY says how many there are:
 *   unset     no proxy is trusted: the TCP peer's address, forwarding headers ignored
 *   vercel    Vercel's edge, which replaces X-Forwarded-For with the client's address (its rightmost entry)
 *   1..10     that many proxies in front (load balancer, CDN): the N-th entry from the right
 * This is the only place a client address is read from a forwarding header.
 */
import { isIPv6 } from "node:net";

export type TrustProxy = { kind: "none" } | { kind: "vercel" } | { kind: "hops"; hops: number };

const MAX_HOPS = 10;

/** TRUST_PROXY's value, or null when it is none of the accepted forms. */
export function parseTrustProxy(value: string | undefined): TrustProxy | null {
  const v = value?.trim().toLowerCase();
  if (!v) return { kind: "none" };
  if (v === "vercel") return { kind: "vercel" };
  if (/^\d+$/.test(v)) {
    const hops = Number(v);
    if (hops === 0) return { kind: "none" };
    return hops <= MAX_HOPS ? { kind: "hops", hops } : null;
  }
  return null;
}

export interface RequestAddressing {
  /** The X-Forwarded-For header as received: several header lines joined with commas, or undefined. */
  forwardedFor: string | undefined;
  /** The address of the TCP peer (the proxy in front, when there is one). */
  peerAddress: string | undefined;
}

/** The address the client's requests are counted under. */
export function clientAddress(req: RequestAddressing, trust: TrustProxy): string {
  const peer = normalize(req.peerAddress) || "unknown";
  if (trust.kind === "none") return peer;
  const hops = trust.kind === "vercel" ? 1 : trust.hops;
  const chain = (req.forwardedFor ?? "").split(",").map((s) => s.trim());
  // Fewer entries than proxies: the request did not come through all of them, so no entry is one of theirs.
  if (chain.length < hops) return peer;
  return normalize(chain[chain.length - hops]) || peer;
}

// "::ffff:203.0.113.7" is the IPv4 client 203.0.113.7 on a dual-stack socket: one client, one count. Any other
// IPv6 client is counted by its /64: one subscriber network gets a whole /64 (and picks any address in it at
// will), so counting single addresses would give a client 2^64 counters and no limit.
function normalize(address: string | undefined): string {
  const a = (address ?? "").trim().slice(0, 100);
  if (a.toLowerCase().startsWith("::ffff:") && a.includes(".")) return a.slice(7);
  const unzoned = a.replace(/%.*$/, "");
  return isIPv6(unzoned) ? network64(unzoned) : a;
}

/** "2001:db8:1:2:aa:bb:cc:dd" -> "2001:db8:1:2::/64" (the first four groups, leading zeros dropped). */
function network64(address: string): string {
  const [head, tail] = address.toLowerCase().split("::") as [string, string | undefined];
  const left = head ? head.split(":") : [];
  const right = tail === undefined ? [] : tail ? tail.split(":") : [];
  // An IPv4 tail (64:ff9b::192.0.2.1) fills the last two groups; it never reaches the first four.
  const width = right.some((g) => g.includes(".")) || left.some((g) => g.includes(".")) ? 7 : 8;
  const groups = tail === undefined ? left : [...left, ...Array<string>(Math.max(0, width - left.length - right.length)).fill("0"), ...right];
  return `${groups.slice(0, 4).map((g) => (g.replace(/^0+(?=.)/, "") || "0")).join(":")}::/64`;
}
