import type { Tx } from "@/lib/db";
import type { Stripe } from "./client";

/**
 * Makes sure every active plan version (paid prices only) and every active pack has a Stripe price under
 * its lookup key, creating product and price when missing, and stores the price ids. Safe to run on every
 * start: prices are found by lookup key first. A price whose amount no longer matches is replaced by a new
 * one that takes over the lookup key (Stripe prices are immutable).
 */
export async function syncStripeCatalog(db: Tx, client: Stripe): Promise<{ created: number; found: number }> {
  const plans = await db.plan.findMany({ where: { active: true }, orderBy: [{ sortOrder: "asc" }, { version: "asc" }] });
  const packs = await db.extrasPack.findMany({ where: { active: true }, orderBy: { sortOrder: "asc" } });
  type Want = { lookupKey: string; amount: number; currency: string; interval: "month" | "year" | null; productKey: string; productName: string; save: (id: string) => Promise<unknown> };
  const wants: Want[] = [];
  for (const plan of plans) {
    if (plan.monthlyPriceCents <= 0 && plan.annualPriceCents <= 0) continue;
    const productKey = `plan_${plan.key}`;
    const productName = `Tally ${plan.name}`;
    const monthly = plan.monthlyLookupKey ?? `${plan.key}_v${plan.version}_month`;
    const annual = plan.annualLookupKey ?? `${plan.key}_v${plan.version}_year`;
    wants.push({ lookupKey: monthly, amount: plan.monthlyPriceCents, currency: plan.currency, interval: "month", productKey, productName,
      save: (id) => db.plan.update({ where: { id: plan.id }, data: { stripeMonthlyPriceId: id, monthlyLookupKey: monthly } }) });
    wants.push({ lookupKey: annual, amount: plan.annualPriceCents, currency: plan.currency, interval: "year", productKey, productName,
      save: (id) => db.plan.update({ where: { id: plan.id }, data: { stripeAnnualPriceId: id, annualLookupKey: annual } }) });
  }
  for (const pack of packs) {
    const lookupKey = pack.lookupKey ?? `pack_${pack.key}`;
    wants.push({ lookupKey, amount: pack.priceCents, currency: pack.currency, interval: null, productKey: `pack_${pack.key}`, productName: `Tally extras: ${pack.name}`,
      save: (id) => db.extrasPack.update({ where: { id: pack.id }, data: { stripePriceId: id, lookupKey } }) });
  }

  const existing = new Map<string, Stripe.Price>();
  for (let i = 0; i < wants.length; i += 10) {
    const keys = wants.slice(i, i + 10).map((w) => w.lookupKey);
    const page = await client.prices.list({ lookup_keys: keys, active: true, limit: 10 });
    for (const price of page.data) if (price.lookup_key) existing.set(price.lookup_key, price);
  }
  const products = new Map<string, string>();
  let created = 0;
  let found = 0;
  for (const w of wants) {
    const price = existing.get(w.lookupKey);
    const matches = price && price.unit_amount === w.amount && price.currency === w.currency && (price.recurring?.interval ?? null) === w.interval;
    if (price && matches) {
      found++;
      await w.save(price.id);
      continue;
    }
    let productId = products.get(w.productKey) ?? (typeof price?.product === "string" ? price.product : undefined);
    if (!productId) {
      const product = await client.products.create({ name: w.productName, metadata: { tallyKey: w.productKey } }, { idempotencyKey: `product_${w.productKey}_${w.lookupKey}` });
      productId = product.id;
    }
    products.set(w.productKey, productId);
    const next = await client.prices.create({
      product: productId,
      currency: w.currency,
      unit_amount: w.amount,
      lookup_key: w.lookupKey,
      transfer_lookup_key: true,
      tax_behavior: "exclusive",
      ...(w.interval ? { recurring: { interval: w.interval } } : {}),
      metadata: { tallyLookupKey: w.lookupKey },
    });
    created++;
    await w.save(next.id);
  }
  return { created, found };
}
