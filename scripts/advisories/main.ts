// Fails when package-lock.json pins a framework version with a known advisory (offline; see known.json).
import fs from "node:fs";
import { findVulnerable, loadAdvisories } from "./check";

const lock = JSON.parse(fs.readFileSync(process.argv[2] ?? "package-lock.json", "utf8"));
const advisories = loadAdvisories();
const findings = findVulnerable(lock, advisories);
for (const f of findings) console.error(`vulnerable: ${f.path}@${f.version}: ${f.advisory.id} ${f.advisory.title}`);
if (findings.length) process.exit(1);
console.log(`advisories: none of ${advisories.length} known advisories match package-lock.json`);
