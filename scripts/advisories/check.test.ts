import { describe, expect, it } from "vitest";
import { findVulnerable, loadAdvisories } from "./check";

const lockWith = (pkgs: Record<string, string>) => ({
  packages: Object.fromEntries(Object.entries(pkgs).map(([path, version]) => [path, { version }])),
});

describe("advisory check", () => {
  const advisories = loadAdvisories();

  it("flags a next version open to the middleware bypass and React2Shell", () => {
    const found = findVulnerable(lockWith({ "node_modules/next": "15.2.2" }), advisories).map((f) => f.advisory.id);
    expect(found).toEqual(expect.arrayContaining(["CVE-2025-29927", "CVE-2025-66478"]));
  });

  it("flags a nested vulnerable react-server-dom package", () => {
    const found = findVulnerable(lockWith({ "node_modules/foo/node_modules/react-server-dom-webpack": "19.1.1" }), advisories);
    expect(found.map((f) => [f.advisory.id, f.version])).toEqual([["CVE-2025-55182", "19.1.1"]]);
  });

  it("passes patched versions", () => {
    expect(findVulnerable(lockWith({ "node_modules/next": "16.0.10", "node_modules/react-server-dom-webpack": "19.2.3" }), advisories)).toEqual([]);
  });

  it("passes this project's lockfile", async () => {
    const lock = (await import("../../package-lock.json", { with: { type: "json" } })).default;
    expect(findVulnerable(lock, advisories)).toEqual([]);
  });
});
