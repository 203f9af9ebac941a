"use client";

import { BrandMark } from "@/components/ui/brand";
import { ErrorState } from "@/components/ui/error-state";

export default function AppError({ error, reset }: { error: Error & { digest?: string }; reset: () => void }) {
  return (
    <div className="min-h-screen">
      <header className="border-b border-slate-200 bg-white"><div className="mx-auto max-w-6xl px-4 py-3"><a href="/app" className="inline-flex items-center gap-2 text-lg font-bold tracking-tight text-slate-900"><BrandMark />Tally</a></div></header>
      <main id="main"><ErrorState error={error} reset={reset} home="/app" homeLabel="Back to your workspace" /></main>
    </div>
  );
}
