import { ActionForm } from "@/components/billing/action-form";
import { Card } from "@/components/ui/card";
import { listModelPrices } from "@/lib/admin/model-prices";
import { formatDateTime } from "@/lib/billing-views/format";
import { db } from "@/lib/db";
import { addModelPriceAction } from "./actions";
import { requireOperatorPage } from "@/lib/server/operator";

export const dynamic = "force-dynamic";

const stateWords = { current: "prices usage now", scheduled: "from a later date", past: "replaced" } as const;
const input = "mt-1 block w-full rounded-md border border-slate-300 px-2 py-1.5";

export default async function ModelPricesPage() {
  await requireOperatorPage();
  const models = await listModelPrices(db());
  const now = new Date();
  const month = now.toISOString().slice(0, 7);
  const earlier = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - 2, 1)).toISOString().slice(0, 7);
  return (
    <div className="space-y-5">
      <div>
        <h1 className="text-2xl font-semibold text-slate-900">Model prices</h1>
        <p className="text-sm text-slate-600">
          Dollars per million tokens, which usage sent as costs is priced with (then turned into units by each plan version&apos;s ratios). A new price is a new version
          from a date, never earlier than now: each event keeps the dollars it was priced with, and usage reported late is priced by the version in effect when it happened.
        </p>
      </div>
      <Card title="New price version">
        <ActionForm action={addModelPriceAction} fields={{}} label="Add version" pendingLabel="Adding…" testId="model-price-form" className="max-w-3xl">
          <div className="grid gap-2 sm:grid-cols-5">
            <label className="text-sm">Provider<input name="provider" required placeholder="openai" className={input} /></label>
            <label className="text-sm">Model<input name="model" required placeholder="gpt-4o" className={input} /></label>
            <label className="text-sm">Input $/M<input name="input" required inputMode="decimal" placeholder="2.5" className={input} /></label>
            <label className="text-sm">Output $/M<input name="output" required inputMode="decimal" placeholder="10" className={input} /></label>
            <label className="text-sm">Effective from (UTC)<input name="effectiveFrom" placeholder="blank: next minute" className={input} /></label>
          </div>
        </ActionForm>
      </Card>
      <Card title="Cost against units (CSV)">
        <form action="/admin/model-prices/export" className="flex flex-wrap items-end gap-2" data-testid="cost-export-form">
          <label className="text-sm">From month<input name="from" defaultValue={earlier} placeholder="2026-09" className={input} /></label>
          <label className="text-sm">To month<input name="to" defaultValue={month} placeholder="2026-11" className={input} /></label>
          <button type="submit" className="rounded-md bg-brand-600 px-4 py-2 text-sm font-medium text-white hover:bg-brand-700">Download CSV</button>
        </form>
        <p className="mt-2 text-xs text-slate-600">Per workspace, month (UTC) and metered feature: events, units, events priced from costs, their dollars and tokens.</p>
      </Card>
      <ul className="grid gap-3 md:grid-cols-2">
        {models.map((m) => (
          <li key={`${m.provider}/${m.model}`} className="rounded-lg border border-slate-200 bg-white p-4" data-testid={`model-${m.provider}/${m.model}`}>
            <h2 className="font-mono text-sm font-semibold">{m.provider}/{m.model}</h2>
            <ul className="mt-2 space-y-1 text-sm">
              {m.versions.map((v) => (
                <li key={v.id} className={`flex flex-wrap justify-between gap-x-3 ${v.state === "past" ? "text-slate-500" : ""}`} data-testid="model-price-version">
                  <span className="tabular-nums">${v.input} in · ${v.output} out</span>
                  <span>{v.effectiveFrom.getTime() === 0 ? "from the start" : `from ${formatDateTime(v.effectiveFrom)}`} · {stateWords[v.state]}</span>
                </li>
              ))}
            </ul>
          </li>
        ))}
      </ul>
    </div>
  );
}
