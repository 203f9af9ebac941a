"use client";

import { LoaderCircle } from "lucide-react";
import { useAutoRefresh } from "./use-auto-refresh";

// Every 2 s for the first 20 s, then every 5 s; after 2 minutes the page stops and says so.
const PACE = { fastMs: 2_000, fastForMs: 20_000, slowMs: 5_000, giveUpAfterMs: 120_000 };

/**
 * Keeps a billing page that came back from checkout up to date while Stripe confirms the payment: the page is
 * rendered again (which syncs the checkout session) until the confirmation replaces this component, or it gives
 * up after a while with a button to check again.
 */
export function CheckoutRefresher() {
  const { gaveUp, retry } = useAutoRefresh(true, PACE);
  if (gaveUp) {
    return (
      <p className="mt-1 text-sm" data-testid="checkout-confirming">
        Stripe has not confirmed it yet; this can take a few minutes for some payment methods.{" "}
        <button type="button" className="font-medium underline underline-offset-2" onClick={retry}>Check again</button>
      </p>
    );
  }
  return (
    <p className="mt-1 flex items-center gap-1.5 text-sm" data-testid="checkout-confirming">
      <LoaderCircle aria-hidden="true" className="size-4 shrink-0 animate-spin motion-reduce:animate-none" />
      Confirming with Stripe; this page updates by itself.
    </p>
  );
}
