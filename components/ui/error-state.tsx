"use client";

import { useEffect } from "react";
import { StatusScreen } from "./status-screen";

// Error boundaries are in every page's script, so this one stays small: no icon library, no variant helper, no router link.
const primary = "inline-flex items-center justify-center rounded-md bg-brand-600 px-3.5 py-2 text-sm font-medium text-white shadow-sm hover:bg-brand-700";
const secondary = "inline-flex items-center justify-center rounded-md border border-slate-300 bg-white px-3.5 py-2 text-sm font-medium text-slate-900 shadow-sm hover:bg-slate-100";

/**
 * What an error boundary shows: nothing technical, a digest to quote to support, and a retry. The error
 * itself is logged on the server; the browser only learns its digest.
 */
export function ErrorState({ error, reset, home, homeLabel }: { error: Error & { digest?: string }; reset: () => void; home: string; homeLabel: string }) {
  useEffect(() => {
    console.error(error);
  }, [error]);
  return (
    <StatusScreen
      icon={<svg viewBox="0 0 24 24" fill="none" stroke="currentColor" strokeWidth="2" strokeLinecap="round"><circle cx="12" cy="12" r="10" /><path d="M12 8v4M12 16h.01" /></svg>}
      title="Something went wrong on our side"
      actions={
        <>
          <button type="button" onClick={reset} className={primary}>Try again</button>
          {/* A plain link: after an error a full page load is the surer way back, and it keeps the router out of this script. */}
          <a href={home} className={secondary}>{homeLabel}</a>
        </>
      }
    >
      <p>Nothing you did caused this, and nothing was charged twice: a retried billing action is recognised and applied once.</p>
      {error.digest && <p className="mt-2 text-xs text-slate-500">Reference for support: <code>{error.digest}</code></p>}
    </StatusScreen>
  );
}
