// npm run bench [-- <suite> ...]: runs the named suites (all when none is named) and prints each figure
// on its own line as `<name> <value> <unit>`. To add a suite: import it and append it to `suites`.
import type { BenchSuite, Figure } from "./suite";
import { engineSuite } from "./engine";
import { httpSuite } from "./http";
import { renderSuite } from "./render";
import { webhooksSuite } from "./webhooks";

const suites: BenchSuite[] = [engineSuite, httpSuite, renderSuite, webhooksSuite];

const wanted = process.argv.slice(2).filter((a) => !a.startsWith("-"));
const unknown = wanted.filter((w) => !suites.some((s) => s.name === w));
if (unknown.length) {
  console.error(`unknown suite(s): ${unknown.join(", ")}; available: ${suites.map((s) => `${s.name} (${s.description})`).join(", ")}`);
  process.exit(2);
}

const print = (f: Figure) => console.log(`${f.name} ${f.value} ${f.unit}`);
let failed = false;
for (const suite of suites.filter((s) => !wanted.length || wanted.includes(s.name))) {
  console.error(`# ${suite.name}: ${suite.description}`);
  try {
    await suite.run(print);
  } catch (e) {
    failed = true;
    console.error(`# ${suite.name} failed:`, e);
  }
}
process.exit(failed ? 1 : 0);
