import fs from "node:fs";
import semver from "semver";

export interface Advisory { id: string; package: string; title: string; vulnerable: string; source: string; aliases?: string[] }
export interface AdvisoryList { reviewed: string; sources: string[]; advisories: Advisory[] }
export interface Finding { advisory: Advisory; path: string; version: string }

/** Every installed package in a package-lock (v2/v3) whose version falls in a known-vulnerable range. */
// Workspace links (`{resolved, link}`) carry no version and are skipped.
export function findVulnerable(lock: { packages?: Record<string, { version?: string; link?: boolean }> }, advisories: Advisory[]): Finding[] {
  const findings: Finding[] = [];
  for (const [path, info] of Object.entries(lock.packages ?? {})) {
    const name = path.slice(path.lastIndexOf("node_modules/") + "node_modules/".length);
    if (!path.includes("node_modules/") || !info.version) continue;
    for (const advisory of advisories) {
      if (advisory.package === name && semver.satisfies(info.version, advisory.vulnerable, { includePrerelease: true })) {
        findings.push({ advisory, path, version: info.version });
      }
    }
  }
  return findings;
}

export function loadAdvisoryList(file = new URL("./known.json", import.meta.url)): AdvisoryList {
  return JSON.parse(fs.readFileSync(file, "utf8")) as AdvisoryList;
}

export function loadAdvisories(file?: URL): Advisory[] {
  return loadAdvisoryList(file).advisories;
}
