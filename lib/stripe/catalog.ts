import type { Tx } from "@/lib/db";
import { isStripeError, type Stripe } from "./client";

/** One thing the sync did (or, in a dry run, would do), in words for the person running it. */
export interface CatalogChange {
  /** Stripe objects are created or changed; "database" only records a price id the app did not have. */
  target: "stripe" | "database";
  description: string;
}

export interface CatalogSyncResult {
  /** Prices found under their lookup key with the right amount. */
  found: number;
  /** Prices created (or, in a dry run, that would be). */
  created: number;
  changes: CatalogChange[];
}

interface Want {
  lookupKey: string;
  amount: number;
  currency: string;
  interval: "month" | "year" | null;
  productKey: string;
  productName: string;
  storedId: string | null;
  save: (id: string) => Promise<unknown>;
}

/** The Stripe price every active plan version (paid prices only) and every active pack needs. */
async function wantedPrices(db: Tx): Promise<Want[]> {
  const plans = await db.plan.findMany({ where: { active: true }, orderBy: [{ sortOrder: "asc" }, { version: "asc" }] });
  const packs = await db.extrasPack.findMany({ where: { active: true }, orderBy: { sortOrder: "asc" } });
  const wants: Want[] = [];
  for (const plan of plans) {
    if (plan.monthlyPriceCents <= 0 && plan.annualPriceCents <= 0) continue;
    const productKey = `plan_${plan.key}`;
    const productName = `Tally ${plan.name}`;
    const monthly = plan.monthlyLookupKey ?? `${plan.key}_v${plan.version}_month`;
    const annual = plan.annualLookupKey ?? `${plan.key}_v${plan.version}_year`;
    wants.push({ lookupKey: monthly, amount: plan.monthlyPriceCents, currency: plan.currency, interval: "month", productKey, productName, storedId: plan.monthlyLookupKey ? plan.stripeMonthlyPriceId : null,
      save: (id) => db.plan.update({ where: { id: plan.id }, data: { stripeMonthlyPriceId: id, monthlyLookupKey: monthly } }) });
    wants.push({ lookupKey: annual, amount: plan.annualPriceCents, currency: plan.currency, interval: "year", productKey, productName, storedId: plan.annualLookupKey ? plan.stripeAnnualPriceId : null,
      save: (id) => db.plan.update({ where: { id: plan.id }, data: { stripeAnnualPriceId: id, annualLookupKey: annual } }) });
  }
  for (const pack of packs) {
    const lookupKey = pack.lookupKey ?? `pack_${pack.key}`;
    wants.push({ lookupKey, amount: pack.priceCents, currency: pack.currency, interval: null, productKey: `pack_${pack.key}`, productName: `Tally extras: ${pack.name}`, storedId: pack.lookupKey ? pack.stripePriceId : null,
      save: (id) => db.extrasPack.update({ where: { id: pack.id }, data: { stripePriceId: id, lookupKey } }) });
  }
  return wants;
}

async function retrieveProduct(client: Stripe, id: string): Promise<Stripe.Product | null> {
  try {
    return await client.products.retrieve(id);
  } catch (e) {
    if (isStripeError(e) && e.statusCode === 404) return null;
    throw e;
  }
}

const money = (w: Want) => `${(w.amount / 100).toFixed(2)} ${w.currency.toUpperCase()}${w.interval ? `/${w.interval}` : ""}`;

/**
 * Makes sure every active plan version (paid prices only) and every active pack has a Stripe price under its
 * lookup key, with its product, and stores the price ids. Safe to run on every start, from the reconcile cron
 * and from `npm run stripe:setup`: prices are found by lookup key first (a catalog missing on the Stripe side
 * is created again; stored ids from another account are replaced). A price whose amount no longer matches is
 * replaced by a new one that takes over the lookup key (Stripe prices are immutable). Products have fixed ids
 * (`tally_plan_pro`), so a re-run finds them without a search; an archived or renamed one is set right.
 * Creations carry idempotency keys, so two runs at once create each object once. `dryRun` only reports.
 */
export async function syncStripeCatalog(db: Tx, client: Stripe, opts: { dryRun?: boolean } = {}): Promise<CatalogSyncResult> {
  const dryRun = opts.dryRun ?? false;
  const wants = await wantedPrices(db);
  const changes: CatalogChange[] = [];
  const stripeChange = (description: string) => changes.push({ target: "stripe", description });

  const existing = new Map<string, Stripe.Price>();
  for (let i = 0; i < wants.length; i += 10) {
    const keys = wants.slice(i, i + 10).map((w) => w.lookupKey);
    // Archived prices too: a lookup key belongs to one price at a time, archived or not.
    const page = await client.prices.list({ lookup_keys: keys, limit: 10 });
    for (const price of page.data) if (price.lookup_key) existing.set(price.lookup_key, price);
  }
  const matches = (w: Want, price: Stripe.Price | undefined): boolean =>
    !!price && price.active && price.unit_amount === w.amount && price.currency === w.currency && (price.recurring?.interval ?? null) === w.interval;

  // One product per plan key or pack: the one the catalog's prices already use, else Tally's fixed id.
  const products = new Map<string, string>();
  for (const w of wants) {
    if (products.has(w.productKey)) continue;
    const inUse = wants.filter((x) => x.productKey === w.productKey).map((x) => existing.get(x.lookupKey)?.product).find((p) => typeof p === "string");
    const id = inUse ?? `tally_${w.productKey}`;
    products.set(w.productKey, id);
    const product = await retrieveProduct(client, id);
    if (!product) {
      stripeChange(`create product ${id} "${w.productName}"`);
      if (!dryRun) await client.products.create({ id, name: w.productName, metadata: { tallyKey: w.productKey } }, { idempotencyKey: `tally_product_${id}` });
    } else if (product.name !== w.productName || !product.active) {
      stripeChange(`update product ${id}: ${product.active ? "" : "reactivate, "}name "${w.productName}"`);
      if (!dryRun) await client.products.update(id, { name: w.productName, active: true });
    }
  }

  let created = 0;
  let found = 0;
  for (const w of wants) {
    const price = existing.get(w.lookupKey);
    if (price && matches(w, price)) {
      found++;
      if (w.storedId !== price.id) {
        changes.push({ target: "database", description: `store price ${price.id} for ${w.lookupKey}` });
        if (!dryRun) await w.save(price.id);
      }
      continue;
    }
    created++;
    stripeChange(
      !price ? `create price ${w.lookupKey} at ${money(w)}`
        : !price.active ? `create price ${w.lookupKey} at ${money(w)} (its price ${price.id} is archived)`
        : `replace price ${price.id} of ${w.lookupKey} (${((price.unit_amount ?? 0) / 100).toFixed(2)} ${price.currency.toUpperCase()}) with ${money(w)}`,
    );
    if (dryRun) continue;
    const next = await client.prices.create(
      {
        product: products.get(w.productKey)!,
        currency: w.currency,
        unit_amount: w.amount,
        lookup_key: w.lookupKey,
        transfer_lookup_key: true,
        tax_behavior: "exclusive",
        ...(w.interval ? { recurring: { interval: w.interval } } : {}),
        metadata: { tallyLookupKey: w.lookupKey },
      },
      // Two runs at once create one price; naming the price the key is taken from makes each replacement (of an
      // archived or mis-priced price) a new request, never a replay of an earlier creation.
      { idempotencyKey: `tally_price_${w.lookupKey}_${w.currency}_${w.amount}_${w.interval ?? "once"}_${price?.id ?? "new"}` },
    );
    await w.save(next.id);
  }
  return { created, found, changes };
}
