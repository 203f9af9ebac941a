import { Compass, LoaderCircle } from "lucide-react";
import Link from "next/link";
import { buttonClass } from "./button";
import { StatusScreen } from "./status-screen";

// Server components: a not-found page and a loading skeleton ship no JavaScript of their own.

/** What a not-found page says, with a way back to `home` (the section's start page). */
export function NotFoundState({ home, homeLabel }: { home: string; homeLabel: string }) {
  return (
    <StatusScreen
      icon={<Compass />}
      code="404"
      title="This page does not exist"
      actions={<Link href={home} className={buttonClass("primary")}>{homeLabel}</Link>}
    >
      <p>The link may be old or mistyped, or the page belongs to a workspace you are not a member of.</p>
    </StatusScreen>
  );
}

/** A page on its way: a skeleton of a heading and cards, and a spinner. */
export function LoadingState({ label = "Loading…" }: { label?: string }) {
  return (
    <div className="space-y-6" aria-busy="true">
      <p className="flex items-center gap-2 text-sm text-slate-600">
        <LoaderCircle aria-hidden="true" className="size-4 animate-spin text-brand-600" />
        {label}
      </p>
      <div className="h-8 w-48 animate-pulse rounded-md bg-slate-200" />
      <div className="grid gap-4 sm:grid-cols-2">
        {[0, 1].map((i) => (
          <div key={i} className="space-y-3 rounded-xl border border-slate-200 bg-white p-5 shadow-sm">
            <div className="h-4 w-1/3 animate-pulse rounded bg-slate-200" />
            <div className="h-3 w-full animate-pulse rounded bg-slate-100" />
            <div className="h-3 w-5/6 animate-pulse rounded bg-slate-100" />
          </div>
        ))}
      </div>
    </div>
  );
}
