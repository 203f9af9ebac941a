import { db } from "@/lib/db";
import { isAppError } from "@/lib/errors";
import { syncCheckoutReturn, type CheckoutOutcome } from "@/lib/payments";
import { CheckoutRefresher } from "./checkout-refresher";

const box = "rounded-md px-3 py-2 text-sm";

function message(outcome: CheckoutOutcome): CheckoutReturnMessage {
  if (outcome.kind === "subscription") {
    return outcome.state === "active"
      ? { ok: true, pending: false, text: `Thanks! Your ${outcome.planName ?? "new"} plan is active and its quotas apply now.` }
      : { ok: true, pending: true, text: "Thanks! Your payment is being confirmed; this page will show the new plan in a moment." };
  }
  if (outcome.kind === "extras") {
    return outcome.state === "credited"
      ? { ok: true, pending: false, text: `Thanks! ${outcome.units} compute ${outcome.units === "1" ? "unit was" : "units were"} added to your extras (balance ${outcome.balance}).` }
      : { ok: true, pending: true, text: "Thanks! Your payment is being confirmed; the units appear as soon as it clears." };
  }
  return { ok: true, pending: false, text: "Thanks! Your checkout is complete." };
}

/** `pending`: Stripe has not confirmed the checkout yet (or could not be asked), so the page keeps checking by itself. */
export type CheckoutReturnMessage = { ok: boolean; pending: boolean; text: string };

/**
 * Syncs the checkout session Stripe just sent the customer back from (`?checkout=success&session_id=...`).
 * The webhook may arrive after the redirect, so the page syncs at once; crediting is idempotent per session,
 * so the page and the webhook can both apply it. The billing page awaits this before reading the plan.
 */
export async function confirmCheckout(workspaceId: string, sessionId: string): Promise<CheckoutReturnMessage> {
  try {
    return message(await syncCheckoutReturn(db(), { workspaceId, sessionId }));
  } catch (e) {
    return isAppError(e) && e.code === "not_found"
      ? { ok: false, pending: false, text: "We could not find that checkout for this workspace." }
      : { ok: false, pending: true, text: "We could not confirm your checkout right now; it will show up here as soon as Stripe confirms it." };
  }
}

/**
 * The outcome of the checkout just returned from. While it is pending the page re-renders itself every few
 * seconds (each render syncs the session again, and the webhook may land meanwhile) until the plan or the units
 * show, with no reload by hand.
 */
export function CheckoutReturn({ sessionId, result }: { sessionId: string; result: CheckoutReturnMessage }) {
  return (
    <div role="status" data-testid="checkout-return" data-session-id={sessionId} data-pending={result.pending} className={`${box} ${result.ok ? "bg-green-50 text-green-800" : "bg-amber-50 text-amber-900"}`}>
      <p>{result.text}</p>
      {result.pending && <CheckoutRefresher />}
    </div>
  );
}
