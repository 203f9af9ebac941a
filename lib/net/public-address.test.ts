import { describe, expect, it } from "vitest";
import { isPublicAddress } from "./public-address";

describe("isPublicAddress", () => {
  it("refuses this machine, private networks, link-local (the metadata service) and reserved ranges", () => {
    for (const a of ["127.0.0.1", "127.8.9.10", "0.0.0.0", "10.1.2.3", "172.16.0.1", "172.31.255.255", "192.168.1.1", "169.254.169.254", "100.64.0.1",
      "224.0.0.1", "255.255.255.255", "::1", "::", "fe80::1", "fd00::1", "fc00::5", "ff02::1", "::ffff:127.0.0.1", "::ffff:7f00:1", "::ffff:a9fe:a9fe",
      "64:ff9b::a00:1", "[::1]", "::7f00:1", "::ffff:0:7f00:1", "2002:a9fe:a9fe::", "64:ff9b:1::a00:1", "fec0::1", "2001:0:4136:e378:8000:63bf:3fff:fdd2",
      "localhost", "example.com", ""]) expect(isPublicAddress(a), a).toBe(false);
  });

  it("takes public addresses", () => {
    for (const a of ["93.184.216.34", "8.8.8.8", "172.32.0.1", "192.169.0.1", "2606:4700:4700::1111", "::ffff:8.8.8.8", "[2606:4700::1]"]) expect(isPublicAddress(a), a).toBe(true);
  });
});
