import { AppError, messageOf } from "@/lib/errors";
import { stripe, type Stripe } from "@/lib/stripe";
import type { Client } from "./db";
import { automaticTaxEnabled } from "./automatic-tax";
import { isUpgrade, liveSubscription, targetPrice } from "./plan-changes";

type Interval = "month" | "year";

export interface UpgradePreview {
  planKey: string;
  interval: Interval;
  /** What the card is charged today: the prorated difference, tax included, less any credit balance. */
  amountDueCents: number;
  taxCents: number;
  currency: string;
  /** The moment Stripe computed the prorations for; the upgrade passes it on so it charges exactly this amount. */
  prorationDate: number;
}

/**
 * What an upgrade would charge today, for each target, computed by Stripe's invoice preview with exactly the
 * change upgradeNow makes: the subscription's item moved to the new price, always_invoice, flexible billing mode
 * (upgradeNow moves a classic subscription to it first) and automatic tax as upgradeNow leaves it. A target Stripe
 * cannot preview is left out (the page then says the amount is prorated without a figure); nothing is written.
 */
export async function previewUpgrades(db: Client, workspaceId: string, targets: { planKey: string; interval: Interval }[]): Promise<UpgradePreview[]> {
  if (targets.length === 0) return [];
  let live: Awaited<ReturnType<typeof liveSubscription>>;
  let untaxed: boolean;
  try {
    live = await liveSubscription(db, workspaceId);
    untaxed = live.sub.automatic_tax.enabled && !(await automaticTaxEnabled(db));
  } catch (e) {
    // The plans page still works without figures when Stripe cannot be read; the upgrade itself re-checks everything.
    if (!(e instanceof AppError)) console.error("[payments] upgrade preview: the subscription could not be read", { workspaceId, error: messageOf(e) });
    return [];
  }
  const { row, sub } = live;
  const item = sub.items.data[0];
  if (!item) return [];
  const previews = await Promise.all(
    targets.map(async (t) => {
      try {
        const { plan, priceId } = await targetPrice(db, t.planKey, t.interval);
        if (!isUpgrade({ sortOrder: row.plan.sortOrder, interval: row.interval }, { sortOrder: plan.sortOrder, interval: t.interval })) return null;
        const invoice = await stripe().invoices.createPreview({
          subscription: sub.id,
          ...(untaxed ? { automatic_tax: { enabled: false } } : {}),
          subscription_details: {
            items: [{ id: item.id, price: priceId }],
            proration_behavior: "always_invoice",
            ...(sub.billing_mode?.type !== "flexible" ? { billing_mode: { type: "flexible" as const } } : {}),
          },
        });
        return toPreview(t, invoice);
      } catch (e) {
        if (e instanceof AppError) return null;
        console.error("[payments] upgrade preview failed", { workspaceId, planKey: t.planKey, interval: t.interval, error: messageOf(e) });
        return null;
      }
    }),
  );
  return previews.filter((p): p is UpgradePreview => p !== null);
}

function toPreview(t: { planKey: string; interval: Interval }, invoice: Stripe.Invoice): UpgradePreview | null {
  const prorationDate = invoice.parent?.subscription_details?.subscription_proration_date;
  if (!prorationDate) return null;
  return {
    planKey: t.planKey,
    interval: t.interval,
    amountDueCents: invoice.amount_due,
    taxCents: (invoice.total_taxes ?? []).reduce((s, x) => s + x.amount, 0),
    currency: invoice.currency,
    prorationDate,
  };
}
