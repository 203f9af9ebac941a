import { env } from "@/lib/env";
import { readTaxStatus, stripe, stripeAccountKey, type Stripe, type TaxStatus } from "@/lib/stripe";
import type { Client } from "./db";

/**
 * How long a reading of the account's tax settings is trusted. Every instance reads the same row, so they
 * agree; turning Stripe Tax on in the Dashboard reaches checkouts within this time (or at once after
 * `npm run stripe:setup`, which records what it read).
 */
export const TAX_STATUS_TTL_MS = 10 * 60_000;
const ROW = "default";

let warnedUnknown = false;

/** Records what was read of the account's tax settings (setup and the lazy refresh below). */
export async function recordTaxStatus(db: Client, status: TaxStatus["status"], now = new Date(), client: Stripe = stripe()): Promise<void> {
  const account = stripeAccountKey(client);
  await db.stripeAccountState.upsert({
    where: { id: ROW },
    create: { id: ROW, account, taxStatus: status, checkedAt: now },
    update: { account, taxStatus: status, checkedAt: now },
  });
}

/**
 * Stripe Tax's status as last read, shared by all instances through the database; read again from Stripe
 * when the reading is older than TAX_STATUS_TTL_MS or was made with another key. When Stripe cannot be
 * reached, an older reading of the same account stands in.
 */
export async function accountTaxStatus(db: Client, now = new Date()): Promise<TaxStatus["status"]> {
  const account = stripeAccountKey(stripe());
  const row = await db.stripeAccountState.findUnique({ where: { id: ROW } });
  const mine = row && row.account === account ? row : null;
  if (mine && now.getTime() - mine.checkedAt.getTime() < TAX_STATUS_TTL_MS) return mine.taxStatus as TaxStatus["status"];
  let read: TaxStatus;
  try {
    read = await readTaxStatus(stripe());
  } catch (e) {
    if (mine) return mine.taxStatus as TaxStatus["status"];
    throw e;
  }
  if (read.status === "unknown" && !warnedUnknown) {
    warnedUnknown = true;
    console.warn(`[payments] STRIPE_AUTOMATIC_TAX=auto cannot read Stripe's tax settings (${read.error}); automatic tax stays off. Give the key read access to Tax settings, or set STRIPE_AUTOMATIC_TAX=on or off.`);
  }
  await recordTaxStatus(db, read.status, now);
  return read.status;
}

/** Whether requests ask Stripe for automatic tax: STRIPE_AUTOMATIC_TAX on or off, or (auto) while the account's Stripe Tax is active. */
export async function automaticTaxEnabled(db: Client, now = new Date()): Promise<boolean> {
  const mode = env().STRIPE_AUTOMATIC_TAX;
  if (mode !== "auto") return mode === "on";
  return (await accountTaxStatus(db, now)) === "active";
}

/**
 * A checkout's tax parameters. With tax on, Checkout collects the billing address and saves it (and the name)
 * on the existing customer: Stripe requires `customer_update[address]=auto` for automatic tax on a customer
 * that has no address yet, and the saved address is what later renewals and auto top-ups are taxed by.
 */
export function checkoutTaxParams(on: boolean): Pick<Stripe.Checkout.SessionCreateParams, "automatic_tax" | "billing_address_collection" | "customer_update"> {
  if (!on) return { automatic_tax: { enabled: false } };
  return { automatic_tax: { enabled: true }, billing_address_collection: "required", customer_update: { address: "auto", name: "auto" } };
}
