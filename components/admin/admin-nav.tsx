"use client";

import Link from "next/link";
import { usePathname } from "next/navigation";

const tabs = [
  ["/admin", "Overview"],
  ["/admin/workspaces", "Workspaces"],
  ["/admin/plans", "Plans"],
  ["/admin/model-prices", "Model prices"],
  ["/admin/stripe-events", "Stripe events"],
  ["/admin/invariants", "Books"],
  ["/admin/audit", "Audit log"],
] as const;

export function AdminNav() {
  const path = usePathname() ?? "";
  return (
    <nav aria-label="Console" className="mx-auto max-w-6xl overflow-x-auto px-4">
      <ul className="flex gap-1">
        {tabs.map(([href, label]) => {
          const active = href === "/admin" ? path === href : path === href || path.startsWith(`${href}/`);
          return (
            <li key={href}>
              <Link
                href={href}
                aria-current={active ? "page" : undefined}
                className={`block whitespace-nowrap border-b-2 px-3 py-2 text-sm ${active ? "border-brand-600 font-medium text-brand-700" : "border-transparent text-slate-600 hover:text-slate-900"}`}
              >
                {label}
              </Link>
            </li>
          );
        })}
      </ul>
    </nav>
  );
}
