"use client";

import Link from "next/link";
import { startTransition, useActionState, useState, type FormEvent } from "react";
import { Button } from "@/components/ui/button";
import { FormMessage } from "@/components/ui/form-message";
import type { PlanSpec } from "@/lib/billing/catalog";
import type { EditorState } from "@/app/(admin)/admin/plans/actions";

type Action = (prev: EditorState, form: FormData) => Promise<EditorState>;

const input = "mt-1 block w-full rounded-md border border-slate-300 px-2 py-1.5 text-sm";
const PERIODS = ["day", "week", "month", "billing_period", "lifetime"];
const OVERFLOWS = ["block", "extras", "soft"];

function Text({ label, name, value, hint, error }: { label: string; name: string; value: string; hint?: string; error?: string }) {
  return (
    <label className="block text-sm font-medium text-slate-800">
      {label}
      <input name={name} defaultValue={value} aria-invalid={error ? true : undefined} className={`${input} ${error ? "border-red-500" : ""}`} />
      {hint && <span className="mt-0.5 block text-xs font-normal text-slate-500">{hint}</span>}
    </label>
  );
}

/**
 * The plan editor: the current version's terms as a form. "Review changes" asks the server for the diff
 * against the current version; "Publish" appears under it and creates the next version from exactly the
 * reviewed fields (a change after the review hides it until the next review).
 */
export function PlanEditor({ action, spec, basedOnPlanId, version }: { action: Action; spec: PlanSpec; basedOnPlanId: string; version: number }) {
  const [state, formAction, pending] = useActionState(action, null);
  const [edited, setEdited] = useState(false);
  const err = (name: string) => state?.fieldErrors?.[name];
  const money = (cents: number) => (cents / 100).toFixed(2);
  const reviewed = !!state?.digest && !edited && !state.published;
  // Dispatched by hand, not through the form's action prop: React resets a form after its action runs,
  // and the operator's edits must stay in place while they review them.
  const submit = (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const data = new FormData(e.currentTarget, (e.nativeEvent as SubmitEvent).submitter);
    setEdited(false);
    startTransition(() => formAction(data));
  };
  return (
    <form onSubmit={submit} onChange={() => setEdited(true)} className="space-y-5" data-testid="plan-editor">
      <input type="hidden" name="key" value={spec.key} />
      <input type="hidden" name="basedOnPlanId" value={basedOnPlanId} />
      {reviewed && <input type="hidden" name="digest" value={state?.digest} />}

      <fieldset className="grid gap-3 rounded-lg border border-slate-200 bg-white p-4 sm:grid-cols-2">
        <legend className="px-1 text-sm font-semibold">Plan</legend>
        <Text label="Name" name="name" value={spec.name} error={err("name")} />
        <Text label="Description" name="description" value={spec.description} error={err("description")} />
        <Text label="Monthly price ($)" name="monthly" value={money(spec.monthlyPriceCents)} error={err("monthly")} />
        <Text label="Annual price ($)" name="annual" value={money(spec.annualPriceCents)} error={err("annual")} />
        <Text label="Trial days" name="trialDays" value={String(spec.trialDays)} error={err("trialDays")} hint="0 for none" />
      </fieldset>

      <fieldset className="rounded-lg border border-slate-200 bg-white p-4">
        <legend className="px-1 text-sm font-semibold">Entitlements</legend>
        <div className="space-y-3">
          {spec.entitlements.map((e) => (
            <div key={e.feature} className="grid gap-2 border-t border-slate-100 pt-2 first:border-0 first:pt-0 sm:grid-cols-[8rem_1fr_1fr_1fr] sm:items-end" data-testid={`entitlement-${e.feature}`}>
              <span className="text-sm font-medium">{e.feature}<span className="block text-xs font-normal text-slate-500">{e.kind}</span></span>
              <Text label={`${e.feature} limit`} name={`limit.${e.feature}`} value={e.limit ?? "unlimited"} error={err(`limit.${e.feature}`)} />
              <label className="block text-sm font-medium text-slate-800">{e.feature} period
                <select name={`period.${e.feature}`} defaultValue={e.period} className={input}>{PERIODS.map((p) => <option key={p}>{p}</option>)}</select>
              </label>
              <label className="block text-sm font-medium text-slate-800">{e.feature} overflow
                <select name={`overflow.${e.feature}`} defaultValue={e.overflow} className={input}>{OVERFLOWS.map((o) => <option key={o}>{o}</option>)}</select>
              </label>
            </div>
          ))}
        </div>
      </fieldset>

      <fieldset className="grid gap-3 rounded-lg border border-slate-200 bg-white p-4 sm:grid-cols-3">
        <legend className="px-1 text-sm font-semibold">Ratios (frozen with the version)</legend>
        <Text label="Run base units" name="runBaseUnits" value={spec.ratios.runBaseUnits} error={err("runBaseUnits")} />
        <Text label="Units per dollar" name="dollarsToUnits" value={spec.ratios.dollarsToUnits} error={err("dollarsToUnits")} />
        <Text label="Max units per run" name="maxUnitsPerRun" value={spec.ratios.maxUnitsPerRun ?? ""} hint="blank: no cap" error={err("maxUnitsPerRun")} />
        {Object.entries(spec.ratios.actionWeights).map(([a, w]) => <Text key={a} label={`Weight of ${a}`} name={`weight.${a}`} value={w} error={err(`weight.${a}`)} />)}
      </fieldset>

      <fieldset className="grid gap-3 rounded-lg border border-slate-200 bg-white p-4 sm:grid-cols-2">
        <legend className="px-1 text-sm font-semibold">Grant on start, renewal and upgrade</legend>
        <Text label="Grant units" name="grantUnits" value={spec.grant.units} error={err("grantUnits")} hint="0 for none" />
        <Text label="Grant expires after days" name="grantExpiresDays" value={spec.grant.expiresDays === null ? "" : String(spec.grant.expiresDays)} hint="blank: never" error={err("grantExpiresDays")} />
      </fieldset>

      <div className="space-y-3">
        <Button type="submit" name="intent" value="review" variant="secondary" disabled={pending}>{pending ? "Working…" : "Review changes"}</Button>
        <FormMessage state={state} />
        {state?.diff && state.diff.length > 0 && !edited && (
          <div className="overflow-x-auto rounded-lg border border-slate-200 bg-white" role="region" aria-label="Changes in the next version" tabIndex={0}>
            <table className="w-full text-sm" data-testid="plan-diff">
              <caption className="px-3 pt-2 text-left text-sm font-semibold">v{version} → v{version + 1}</caption>
              <thead><tr className="text-left text-slate-600"><th className="px-3 py-1.5 font-medium">Field</th><th className="py-1.5 pr-3 font-medium">Now (v{version})</th><th className="py-1.5 pr-3 font-medium">New (v{version + 1})</th></tr></thead>
              <tbody>
                {state.diff.map((d) => (
                  <tr key={d.field} className="border-t border-slate-100"><td className="px-3 py-1.5">{d.field}</td><td className="py-1.5 pr-3 text-slate-600 line-through decoration-slate-400">{d.before}</td><td className="py-1.5 pr-3 font-medium">{d.after}</td></tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
        {reviewed && state?.diff && state.diff.length > 0 && (
          <div className="rounded-lg border border-amber-200 bg-amber-50 p-3 text-sm">
            <p>Publishing creates v{version + 1} and its Stripe prices. New subscriptions get it; the subscriptions on older versions keep theirs until you migrate them.</p>
            <Button type="submit" name="intent" value="publish" className="mt-2" disabled={pending}>Publish v{version + 1}</Button>
          </div>
        )}
        {state?.published && (
          <Link href={`/admin/plans/${state.published.key}`} className="inline-block text-sm font-medium text-brand-700 hover:underline">See the versions of {spec.name} →</Link>
        )}
        {edited && state?.digest && <p className="text-sm text-slate-600">Changed since the review: review again to publish.</p>}
      </div>
    </form>
  );
}
