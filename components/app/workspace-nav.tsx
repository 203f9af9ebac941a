"use client";

import Link from "next/link";
import { usePathname } from "next/navigation";

const tabs = [
  ["billing", "Billing"],
  ["plans", "Plans"],
  ["extras", "Extras"],
  ["ledger", "Ledger"],
  ["usage", "Usage"],
  ["invoices", "Invoices"],
  ["api-keys", "API keys"],
  ["members", "Members"],
] as const;

export function WorkspaceNav({ slug }: { slug: string }) {
  // Typed nullable because the app also has a pages/ folder (the API's routes); in the App Router it is always set.
  const path = usePathname() ?? "";
  return (
    <nav aria-label="Workspace" className="mx-auto max-w-6xl overflow-x-auto px-4">
      <ul className="flex gap-1">
        {tabs.map(([segment, label]) => {
          const href = `/w/${slug}/${segment}`;
          const active = path === href || path.startsWith(`${href}/`);
          return (
            <li key={segment}>
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
