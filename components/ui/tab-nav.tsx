"use client";

import { ChevronRight } from "lucide-react";
import Link from "next/link";
import { usePathname } from "next/navigation";
import { useEffect, useRef, useState } from "react";
import { cn } from "./cn";

/**
 * A row of page tabs; the tab whose path is the current one (or a parent of it) is marked current.
 * `exact` tabs match only their own path (an overview at the root of its section).
 * On narrow screens the row scrolls sideways: a fade and a chevron at the edge say there is more, and the
 * current tab is scrolled into view.
 */
export function TabNav({ label, tabs }: { label: string; tabs: { href: string; label: string; exact?: boolean }[] }) {
  // Typed nullable because the app also has a pages/ folder (the API's routes); in the App Router it is always set.
  const path = usePathname() ?? "";
  const scroller = useRef<HTMLDivElement>(null);
  const [more, setMore] = useState({ left: false, right: false });

  useEffect(() => {
    const el = scroller.current;
    if (!el) return;
    const update = () => setMore({ left: el.scrollLeft > 4, right: el.scrollLeft + el.clientWidth < el.scrollWidth - 4 });
    el.querySelector<HTMLElement>('[aria-current="page"]')?.scrollIntoView({ block: "nearest", inline: "center" });
    update();
    el.addEventListener("scroll", update, { passive: true });
    window.addEventListener("resize", update);
    return () => {
      el.removeEventListener("scroll", update);
      window.removeEventListener("resize", update);
    };
  }, [path]);

  return (
    <nav aria-label={label} className="relative mx-auto max-w-6xl">
      <div ref={scroller} className="overflow-x-auto px-4 [scrollbar-width:none] [&::-webkit-scrollbar]:hidden">
        <ul className="flex gap-1">
          {tabs.map((tab) => {
            const active = path === tab.href || (!tab.exact && path.startsWith(`${tab.href}/`));
            return (
              <li key={tab.href}>
                <Link
                  href={tab.href}
                  aria-current={active ? "page" : undefined}
                  className={cn(
                    "block border-b-2 px-3 py-2.5 text-sm whitespace-nowrap transition-colors",
                    active ? "border-brand-600 font-medium text-brand-700" : "border-transparent text-slate-600 hover:border-slate-300 hover:text-slate-900",
                  )}
                >
                  {tab.label}
                </Link>
              </li>
            );
          })}
        </ul>
      </div>
      <div aria-hidden="true" className={cn("pointer-events-none absolute inset-y-0 left-0 w-8 bg-gradient-to-r from-white transition-opacity", more.left ? "opacity-100" : "opacity-0")} />
      <div aria-hidden="true" className={cn("pointer-events-none absolute inset-y-0 right-0 flex w-12 items-center justify-end bg-gradient-to-l from-white via-white/80 pr-1 transition-opacity", more.right ? "opacity-100" : "opacity-0")}>
        <ChevronRight className="size-4 text-slate-500" />
      </div>
    </nav>
  );
}
