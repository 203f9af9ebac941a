import { describe, expect, it } from "vitest";
import { safeNextPath } from "./safe-next";

const APP = "https://tally.example";

describe("safeNextPath", () => {
  it.each([
    "/w/acme/billing",
    "/w/acme/ledger?kind=topup&cursor=abc#top",
    "/app",
    "/w/acme/usage?q=a%20b",
  ])("keeps the site's own path %s", (next) => {
    expect(safeNextPath(next, APP)).toBe(next);
  });

  it("normalises dot segments to a path of this site", () => {
    expect(safeNextPath("/w/../w/acme/billing", APP)).toBe("/w/acme/billing");
  });

  it.each([
    ["backslash", "/\\evil.example/phish"],
    ["two backslashes", "/\\\\evil.example"],
    ["slash backslash mix", "\\/evil.example"],
    ["encoded backslash", "/%5Cevil.example/phish"],
    ["encoded backslash, lower case", "/%5cevil.example"],
    ["protocol-relative", "//evil.example/phish"],
    ["protocol-relative, three slashes", "///evil.example"],
    ["tab between slashes", "/\t/evil.example"],
    ["newline between slashes", "/\n/evil.example"],
    ["carriage return", "/\r/evil.example"],
    ["encoded tab", "/%09/evil.example"],
    ["encoded slash", "/%2F/evil.example"],
    ["encoded slash, lower case", "/%2f%2fevil.example"],
    ["dot segment to a double slash", "/.//evil.example"],
    ["dot-dot segment to a double slash", "/a/..//evil.example"],
    ["NUL", "/\u0000/evil.example"],
    ["DEL", "/\u007f/evil.example"],
    ["absolute URL elsewhere", "https://evil.example/phish"],
    ["scheme only", "https:"],
    ["scheme-relative host", "https:evil.example"],
    ["scheme with backslashes", "https:\\\\evil.example"],
    ["javascript URL", "javascript:alert(document.domain)"],
    ["javascript URL, upper case", "JAVASCRIPT:alert(1)"],
    ["data URL", "data:text/html,<script>alert(1)</script>"],
    ["leading space", " /w/acme"],
    ["bare host", "evil.example"],
    ["broken percent escape", "/%E0%A4%A"],
    ["empty", ""],
  ])("refuses %s", (_label, next) => {
    expect(safeNextPath(next, APP)).toBe("/app");
  });

  it("refuses what is not a string", () => {
    expect(safeNextPath(null, APP)).toBe("/app");
    expect(safeNextPath(undefined, APP)).toBe("/app");
    expect(safeNextPath(["/w/acme"], APP)).toBe("/app");
  });

  it("never returns a value a browser would take to another origin", () => {
    // Whatever comes out, resolved the way a browser resolves a Location header, stays on the site.
    const attempts = ["/\\evil.example", "/%5C%5Cevil.example", "/\t/evil.example", "/.//evil.example", "//evil.example", "/%2F%2Fevil.example", "/x/..//evil.example", "https:evil.example"];
    for (const next of attempts) expect(new URL(safeNextPath(next, APP), APP).origin).toBe(APP);
  });

  it("uses the fallback given", () => {
    expect(safeNextPath("//evil.example", APP, "/w/acme/billing")).toBe("/w/acme/billing");
  });
});
