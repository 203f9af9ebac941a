"use client";

import Link from "next/link";
import { usePathname } from "next/navigation";

/**
 * A row of page tabs; the tab whose path is the current one (or a parent of it) is marked current.
 * `exact` tabs match only their own path (an overview at the root of its section).
 */
export function TabNav({ label, tabs }: { label: string; tabs: { href: string; label: string; exact?: boolean }[] }) {
  // Typed nullable because the app also has a pages/ folder (the API's routes); in the App Router it is always set.
  const path = usePathname() ?? "";
  return (
    <nav aria-label={label} className="mx-auto max-w-6xl overflow-x-auto px-4">
      <ul className="flex gap-1">
        {tabs.map((tab) => {
          const active = path === tab.href || (!tab.exact && path.startsWith(`${tab.href}/`));
          return (
            <li key={tab.href}>
              <Link
                href={tab.href}
                aria-current={active ? "page" : undefined}
                className={`block whitespace-nowrap border-b-2 px-3 py-2 text-sm ${active ? "border-brand-600 font-medium text-brand-700" : "border-transparent text-slate-600 hover:text-slate-900"}`}
              >
                {tab.label}
              </Link>
            </li>
          );
        })}
      </ul>
    </nav>
  );
}
