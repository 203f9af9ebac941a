import Link from "next/link";
import { LedgerTable } from "@/components/billing/ledger-table";
import { buttonClass } from "@/components/ui/button";
import { EmptyState } from "@/components/ui/empty-state";
import { db } from "@/lib/db";
import { decodeCursor, encodeCursor, isLedgerKind, LEDGER_KIND_LABELS as kindLabels, LEDGER_KINDS, ledgerPage } from "@/lib/billing-views/ledger";
import { requireWorkspacePage } from "@/lib/server/session";

export const metadata = { title: "Ledger" };

type Search = { kind?: string; after?: string; before?: string };

export default async function LedgerPage({ params, searchParams }: { params: Promise<{ slug: string }>; searchParams: Promise<Search> }) {
  const { slug } = await params;
  const search = await searchParams;
  const { workspace } = await requireWorkspacePage(slug);
  const kind = search.kind && isLedgerKind(search.kind) ? search.kind : undefined;
  const page = await ledgerPage(db(), {
    workspaceId: workspace.id,
    kinds: kind ? [kind] : undefined,
    after: decodeCursor(search.after),
    before: decodeCursor(search.before),
  });
  const base = `/w/${slug}/ledger`;
  const withQuery = (extra: Record<string, string>) => `${base}?${new URLSearchParams({ ...(kind ? { kind } : {}), ...extra })}`;
  const exportHref = `${base}/export${kind ? `?kind=${kind}` : ""}`;
  const filtered = Boolean(kind);
  return (
    <div className="space-y-5">
      <div className="flex flex-wrap items-end justify-between gap-3">
        <div>
          <h1 className="text-2xl font-semibold">Ledger</h1>
          <p className="text-sm text-slate-600">Every unit of extras that came in or went out, newest first.</p>
        </div>
        <a href={exportHref} download className={buttonClass("secondary")}>
          Download CSV{kind ? ` (${kindLabels[kind]?.toLowerCase()})` : ""}
        </a>
      </div>
      <form method="get" action={base} className="flex flex-wrap items-end gap-2" aria-label="Filter the ledger">
        <label className="text-sm">
          <span className="mb-1 block font-medium text-slate-800">Kind</span>
          <select name="kind" defaultValue={kind ?? ""} className="rounded-md border border-slate-300 bg-white px-3 py-2 text-sm">
            <option value="">All kinds</option>
            {LEDGER_KINDS.map((k) => (
              <option key={k} value={k}>{kindLabels[k]}</option>
            ))}
          </select>
        </label>
        <button type="submit" className={buttonClass("secondary")}>Filter</button>
        {filtered && <Link href={base} className={buttonClass("ghost")}>Clear filter</Link>}
      </form>
      {page.entries.length === 0 ? (
        <EmptyState title={filtered ? `No ${kindLabels[kind!]?.toLowerCase()} entries` : "No ledger entries yet"}>
          {filtered
            ? "Nothing of this kind has happened in this workspace. Choose another kind or clear the filter."
            : "Entries appear when extras are bought or granted, spent by usage past a quota, refunded, or expire, and when one pack pays the debt a refund left on another."}
        </EmptyState>
      ) : (
        <LedgerTable entries={page.entries} slug={slug} />
      )}
      {(page.newer || page.older) && (
        <nav aria-label="Ledger pages" className="flex justify-between gap-2">
          {page.newer ? <Link rel="prev" href={withQuery({ before: encodeCursor(page.newer) })} className={buttonClass("secondary")}>← Newer</Link> : <span />}
          {page.older ? <Link rel="next" href={withQuery({ after: encodeCursor(page.older) })} className={buttonClass("secondary")}>Older →</Link> : <span />}
        </nav>
      )}
    </div>
  );
}
