import net from "node:net";

// Where the server may send requests a customer chose the target of (outgoing webhooks): public addresses only, not
// this machine, its private network or the cloud's metadata service (169.254.169.254), which would let whoever sets
// an endpoint URL reach them through Tally (server-side request forgery).

// One list per family: a BlockList checks an address of one family against the other's rules through the IPv4
// forms of IPv6, so ::/96 in a shared list would match every IPv4 address.
const blocked4 = new net.BlockList();
const blocked6 = new net.BlockList();
for (const [prefix, bits] of [
  ["0.0.0.0", 8], ["10.0.0.0", 8], ["100.64.0.0", 10], ["127.0.0.0", 8], ["169.254.0.0", 16], ["172.16.0.0", 12],
  ["192.0.0.0", 24], ["192.0.2.0", 24], ["192.168.0.0", 16], ["198.18.0.0", 15], ["198.51.100.0", 24], ["203.0.113.0", 24],
  ["224.0.0.0", 4], ["240.0.0.0", 4],
] as const) blocked4.addSubnet(prefix, bits, "ipv4");
// IPv6 besides its own private ranges: the forms that carry or reach an IPv4 address (IPv4-compatible ::/96,
// ::ffff:0:0/96, NAT64 64:ff9b::/96 and 64:ff9b:1::/48, 6to4 2002::/16, Teredo 2001::/32), unless embeddedIpv4
// reads the address out first, and the old site-local fec0::/10.
for (const [prefix, bits] of [
  ["::", 96], ["::ffff:0:0", 96], ["64:ff9b::", 96], ["64:ff9b:1::", 48], ["2002::", 16], ["2001::", 32], ["fec0::", 10],
  ["fc00::", 7], ["fe80::", 10], ["ff00::", 8], ["2001:db8::", 32], ["100::", 64],
] as const) {
  blocked6.addSubnet(prefix, bits, "ipv6");
}

/** The IPv4 address an IPv4-mapped, -translated, -compatible or NAT64 IPv6 address carries (::ffff:7f00:1 is 127.0.0.1), or null. */
function embeddedIpv4(address: string): string | null {
  const m = /^(?:::ffff:(?:0:)?|64:ff9b::|::)(?:(\d+\.\d+\.\d+\.\d+)|([0-9a-f]{1,4}):([0-9a-f]{1,4}))$/i.exec(address);
  if (!m) return null;
  if (m[1]) return m[1];
  const hi = parseInt(m[2]!, 16);
  const lo = parseInt(m[3]!, 16);
  return [hi >> 8, hi & 255, lo >> 8, lo & 255].join(".");
}

/** True for an IP address on the public internet; false for loopback, private, link-local, reserved and the like. */
export function isPublicAddress(address: string): boolean {
  const bare = address.replace(/^\[|\]$/g, "");
  const family = net.isIP(bare);
  if (family === 0) return false;
  if (family === 6) {
    const v4 = embeddedIpv4(bare);
    if (v4 !== null) return isPublicAddress(v4);
    return !blocked6.check(bare, "ipv6");
  }
  return !blocked4.check(bare, "ipv4");
}
