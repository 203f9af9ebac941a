import { ChevronDown } from "lucide-react";

const questions: [string, string][] = [
  ["What happens when I reach my quota?", "Compute above the quota is taken from your extras, soonest-expiring first. With no extras left, new work is refused with a clear error until the quota resets or you add a pack; nothing is ever billed by surprise."],
  ["When does the quota reset?", "Compute quotas are weekly and reset at the start of each week of your subscription (Monday 00:00 UTC on the Free plan). API calls reset monthly. The billing page always shows the time of the next reset."],
  ["Do unused units roll over?", "Quota units do not: each week starts fresh. Extras do: a pack lasts a year, and units granted by a plan last 35 days."],
  ["How does the free trial work?", "Every paid plan starts with a 7-day trial and no card. At the end you add a card to continue, or the workspace returns to the Free plan."],
  ["Can I change plans at any time?", "Yes. An upgrade applies at once and you pay the prorated difference today; a downgrade takes effect at the end of the current period, so nothing you paid for is lost."],
  ["Monthly or annual?", "Annual costs less (about two months free) and is paid once a year. You can switch when you change plans."],
  ["Where do I see what I used?", "Every workspace has a usage chart against the quota, a ledger that ties each extras debit to the event that caused it, and downloadable invoices and receipts."],
];

/** Common questions as native disclosure widgets: keyboard- and screen-reader-ready with no script. */
export function Faq() {
  return (
    <section aria-labelledby="faq" className="mx-auto max-w-3xl">
      <h2 id="faq" className="text-center text-2xl font-bold tracking-tight">Questions, answered</h2>
      <div className="mt-6 divide-y divide-slate-200 rounded-xl border border-slate-200 bg-white shadow-sm">
        {questions.map(([q, a]) => (
          <details key={q} className="group px-5 py-4">
            <summary className="flex cursor-pointer list-none items-center justify-between gap-4 font-medium text-slate-900 [&::-webkit-details-marker]:hidden">
              {q}
              <ChevronDown aria-hidden="true" className="size-4 shrink-0 text-slate-500 transition-transform group-open:rotate-180" />
            </summary>
            <p className="mt-2 text-sm text-slate-600">{a}</p>
          </details>
        ))}
      </div>
    </section>
  );
}
