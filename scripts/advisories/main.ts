// Fails when package-lock.json pins a runtime dependency with a known advisory (offline; see known.json,
// which records when the list was last reviewed and against which sources).
import fs from "node:fs";
import { findVulnerable, loadAdvisoryList } from "./check";

const lock = JSON.parse(fs.readFileSync(process.argv[2] ?? "package-lock.json", "utf8"));
const { advisories, reviewed } = loadAdvisoryList();
const findings = findVulnerable(lock, advisories);
for (const f of findings) console.error(`vulnerable: ${f.path}@${f.version}: ${f.advisory.id} ${f.advisory.title}`);
if (findings.length) process.exit(1);
console.log(`advisories: none of ${advisories.length} known advisories (list reviewed ${reviewed}) match package-lock.json`);
