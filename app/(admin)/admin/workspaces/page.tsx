import Link from "next/link";
import { searchWorkspaces } from "@/lib/admin/workspaces";
import { formatDate } from "@/lib/billing-views/format";
import { db } from "@/lib/db";
import { subscriptionStatusLabel } from "@/lib/format";
import { requireOperatorPage } from "@/lib/server/operator";

export const dynamic = "force-dynamic";

export default async function AdminWorkspaces({ searchParams }: { searchParams: Promise<{ q?: string; after?: string }> }) {
  await requireOperatorPage();
  const { q, after } = await searchParams;
  const query = typeof q === "string" ? q.slice(0, 200) : undefined;
  const { rows, next } = await searchWorkspaces(db(), { q: query, after: typeof after === "string" ? after.slice(0, 64) : undefined });
  return (
    <div className="space-y-4">
      <h1 className="text-2xl font-semibold text-slate-900">Workspaces</h1>
      <form role="search" className="flex gap-2">
        <label htmlFor="q" className="sr-only">Search workspaces</label>
        <input id="q" name="q" defaultValue={query} placeholder="Name, slug, owner email, Stripe customer, externalId or id" className="w-full max-w-md rounded-md border border-slate-300 px-3 py-2 text-sm" />
        <button type="submit" className="rounded-md bg-brand-600 px-4 py-2 text-sm font-medium text-white hover:bg-brand-700">Search</button>
      </form>
      {rows.length === 0 ? (
        <p className="text-sm text-slate-600">No workspace matches{query ? ` “${query}”` : ""}.</p>
      ) : (
        <ul className="divide-y divide-slate-100 rounded-lg border border-slate-200 bg-white">
          {rows.map((w) => (
            <li key={w.id} className="flex flex-col gap-1 px-4 py-3 sm:flex-row sm:items-center sm:gap-4" data-testid="admin-workspace-row">
              <Link href={`/admin/workspaces/${w.id}`} className="font-medium text-brand-700 hover:underline">{w.name}</Link>
              <span className="text-sm text-slate-600">{w.owners.join(", ") || "no owner"}{w.externalId ? ` · ${w.externalId}` : ""}</span>
              <span className="text-sm text-slate-600 sm:ml-auto">{w.plan ?? "no plan"}{w.status ? ` · ${subscriptionStatusLabel(w.status).toLowerCase()}` : ""}</span>
              <span className="text-xs text-slate-500">created {formatDate(w.createdAt)}</span>
            </li>
          ))}
        </ul>
      )}
      {next && (
        <Link href={`/admin/workspaces?${new URLSearchParams({ ...(query ? { q: query } : {}), after: next })}`} className="inline-block text-sm font-medium text-brand-700 hover:underline">Next page →</Link>
      )}
    </div>
  );
}
