"use client";

import { BrandLink } from "@/components/ui/brand";
import { ErrorState } from "@/components/ui/error-state";

export default function AppError({ error, reset }: { error: Error & { digest?: string }; reset: () => void }) {
  return (
    <div className="min-h-screen">
      <header className="border-b border-slate-200 bg-white"><div className="mx-auto max-w-6xl px-4 py-3"><BrandLink href="/app" /></div></header>
      <main id="main"><ErrorState error={error} reset={reset} home="/app" homeLabel="Back to your workspace" /></main>
    </div>
  );
}
