import Link from "next/link";

/**
 * Monthly or annual prices as two links: the server renders the chosen one, so the toggle needs no
 * JavaScript and the choice survives a reload or a shared URL.
 */
export function IntervalToggle({ annual, monthlyHref, annualHref }: { annual: boolean; monthlyHref: string; annualHref: string }) {
  const item = (active: boolean) =>
    `rounded-full px-4 py-1.5 text-sm font-medium ${active ? "bg-white text-slate-900 shadow-sm" : "text-slate-600 hover:text-slate-900"}`;
  return (
    <nav aria-label="Billing period" className="inline-flex rounded-full bg-slate-200/70 p-1">
      <Link href={monthlyHref} aria-current={annual ? undefined : "page"} className={item(!annual)} scroll={false}>Monthly</Link>
      <Link href={annualHref} aria-current={annual ? "page" : undefined} className={item(annual)} scroll={false}>Annual</Link>
    </nav>
  );
}
