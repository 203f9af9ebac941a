"use client";

import { ErrorState } from "@/components/ui/error-state";
import "./globals.css";

// Replaces the root layout when it fails itself, so it brings its own <html> and <body>.
export default function GlobalError({ error, reset }: { error: Error & { digest?: string }; reset: () => void }) {
  return (
    <html lang="en">
      <body className="min-h-screen bg-slate-50 font-sans text-slate-900 antialiased">
        <main id="main"><ErrorState error={error} reset={reset} home="/" homeLabel="Go to the home page" /></main>
      </body>
    </html>
  );
}
