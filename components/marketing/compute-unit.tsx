import { Cpu } from "lucide-react";

// The default catalog's ratios (lib/billing/catalog.ts): what one piece of work costs in compute units.
const weights = [
  ["Small action", "1"],
  ["Medium action", "2.5"],
  ["Large action", "5"],
  ["Extra-large action", "15"],
] as const;

/** What a compute unit is, in the words a buyer needs before choosing a plan. */
export function ComputeUnitExplainer({ headingLevel = 2 }: { headingLevel?: 2 | 3 }) {
  const Heading = `h${headingLevel}` as const;
  return (
    <section aria-labelledby="compute-unit" className="rounded-xl border border-slate-200 bg-white p-6 shadow-sm sm:p-8">
      <div className="flex items-center gap-3">
        <span className="grid size-10 shrink-0 place-items-center rounded-lg bg-brand-50 text-brand-700"><Cpu aria-hidden="true" className="size-5" /></span>
        <Heading id="compute-unit" className="text-xl font-semibold tracking-tight">What is a compute unit?</Heading>
      </div>
      <div className="mt-4 grid gap-6 lg:grid-cols-2">
        <div className="space-y-3 text-slate-700">
          <p>
            One pooled unit for the work your product does. Every run, action or model call turns into compute units, so one
            quota covers all of it and you never juggle a limit per feature.
          </p>
          <p>
            A run costs at least 1 unit. Model calls are priced from their tokens: each dollar of model cost is 100 units, and
            no single run costs more than 500. Each plan includes a weekly quota; extras packs cover anything above it.
          </p>
        </div>
        <table className="w-full self-start text-sm">
          <caption className="mb-2 text-left text-xs font-medium uppercase tracking-wide text-slate-500">Typical costs</caption>
          <thead className="sr-only">
            <tr><th scope="col">Work</th><th scope="col">Compute units</th></tr>
          </thead>
          <tbody className="divide-y divide-slate-100">
            {weights.map(([name, units]) => (
              <tr key={name}>
                <th scope="row" className="py-2 text-left font-normal text-slate-700">{name}</th>
                <td className="py-2 text-right font-medium tabular-nums">{units} {units === "1" ? "unit" : "units"}</td>
              </tr>
            ))}
            <tr>
              <th scope="row" className="py-2 text-left font-normal text-slate-700">$1 of model tokens</th>
              <td className="py-2 text-right font-medium tabular-nums">100 units</td>
            </tr>
          </tbody>
        </table>
      </div>
    </section>
  );
}
