import semver from "semver";
import { describe, expect, it } from "vitest";
import { findVulnerable, loadAdvisories, loadAdvisoryList } from "./check";

const lockWith = (pkgs: Record<string, string>) => ({
  packages: Object.fromEntries(Object.entries(pkgs).map(([path, version]) => [path, { version }])),
});
const ids = (pkgs: Record<string, string>) => findVulnerable(lockWith(pkgs), loadAdvisories()).map((f) => f.advisory.id);

describe("advisory check", () => {
  const advisories = loadAdvisories();

  it("records when the list was reviewed and against which sources, and every range parses", () => {
    const list = loadAdvisoryList();
    expect(list.reviewed).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    expect(list.sources.length).toBeGreaterThan(0);
    for (const a of advisories) {
      expect(semver.validRange(a.vulnerable, { includePrerelease: true }), `${a.id} ${a.package}`).not.toBeNull();
      expect(a.source, a.id).toMatch(/^https:\/\//);
    }
  });

  it("flags a next version open to the middleware bypass and React2Shell", () => {
    expect(ids({ "node_modules/next": "15.2.2" })).toEqual(expect.arrayContaining(["CVE-2025-29927", "CVE-2025-66478"]));
  });

  it("flags the 2026 Next.js releases' advisories up to the October fixes", () => {
    expect(ids({ "node_modules/next": "16.2.4" })).toEqual(expect.arrayContaining(["CVE-2026-23870", "CVE-2026-44578", "GHSA-26hh-7cqf-hhc6"]));
    expect(ids({ "node_modules/next": "16.2.10" })).toEqual(expect.arrayContaining(["CVE-2026-64642", "GHSA-2xp9-vwfh-vxw4", "GHSA-673q-mjm6-r5xr"]));
    expect(ids({ "node_modules/next": "16.4.0" })).toEqual(["GHSA-2464-fhr4-w9xw", "GHSA-673q-mjm6-r5xr", "CVE-2026-94482"]);
    expect(ids({ "node_modules/next": "16.4.1" })).toEqual([]);
  });

  it("flags a nested vulnerable react-server-dom package, including the 19.3.0 remote code execution", () => {
    const found = findVulnerable(lockWith({ "node_modules/foo/node_modules/react-server-dom-webpack": "19.1.1" }), advisories);
    expect(found.map((f) => f.version)).toEqual(expect.arrayContaining(["19.1.1"]));
    expect(found.map((f) => f.advisory.id)).toContain("CVE-2025-55182");
    expect(ids({ "node_modules/react-server-dom-turbopack": "19.3.0" })).toEqual(["CVE-2026-126187", "CVE-2026-130165"]);
    expect(ids({ "node_modules/react-server-dom-turbopack": "19.3.1" })).toEqual([]);
  });

  it("flags Auth.js before its July 2026 fixes", () => {
    expect(ids({ "node_modules/next-auth": "5.0.0-beta.31", "node_modules/next-auth/node_modules/@auth/core": "0.41.2" })).toEqual(
      expect.arrayContaining(["GHSA-7rqj-j65f-68wh", "GHSA-8fpg-xm3f-6cx3", "GHSA-x445-f3h2-j279", "GHSA-xmf8-cvqr-rfgj"]),
    );
  });

  it("flags the nodemailer this project used to pin", () => {
    expect(ids({ "node_modules/nodemailer": "8.0.11" })).toContain("CVE-2026-82659");
  });

  it("passes patched versions", () => {
    expect(ids({ "node_modules/next": "16.4.6", "node_modules/react-server-dom-webpack": "19.3.1", "node_modules/nodemailer": "10.6.1" })).toEqual([]);
  });

  it("passes this project's lockfile", async () => {
    const lock = (await import("../../package-lock.json", { with: { type: "json" } })).default;
    expect(findVulnerable(lock, advisories)).toEqual([]);
  });
});
