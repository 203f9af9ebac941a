import type { Emulator } from "../emulator";
import { invalidRequest } from "../errors";
import { render } from "../expand";
import { mergeMetadata, type Params } from "../form";
import { newId } from "../ids";
import { filterCreated, paginate } from "../list";
import type { Router } from "../router";
import type { Price } from "../types";
import { createProduct } from "./products";
import { mustGet } from "./util";

const INTERVALS = ["day", "week", "month", "year"] as const;

/** Claims a lookup key; with `transfer` it moves from the price that holds it. */
function claimLookupKey(em: Emulator, key: string | null, transfer: boolean, self?: Price): void {
  if (!key) return;
  const holder = [...em.store.prices.values()].find((x) => x.lookup_key === key && x.id !== self?.id);
  if (!holder) return;
  if (!transfer) throw invalidRequest(`A price (\`${holder.id}\`) already uses that lookup key.`, "lookup_key");
  const before = structuredClone(holder);
  holder.lookup_key = null;
  em.emitChange("price.updated", before, holder, ["lookup_key"]);
}

function createPrice(em: Emulator, p: Params): Price {
  let productId = p.str("product");
  const productData = p.obj("product_data");
  if (productId) mustGet(em.store.products, productId, "product");
  else if (productData) productId = createProduct(em, { name: productData.reqStr("name"), metadata: productData.metadata() }).id;
  else throw invalidRequest("Missing required param: product.", "product", "parameter_missing");
  const unitAmount = p.int("unit_amount") ?? (p.str("unit_amount_decimal") ? Math.round(Number(p.str("unit_amount_decimal"))) : undefined);
  if (unitAmount === undefined) throw invalidRequest("Missing required param: unit_amount.", "unit_amount", "parameter_missing");
  if (unitAmount < 0) throw invalidRequest("This value must be greater than or equal to 0.", "unit_amount");
  const recurringP = p.obj("recurring");
  const lookupKey = p.str("lookup_key") ?? null;
  claimLookupKey(em, lookupKey, p.bool("transfer_lookup_key") ?? false);
  const price: Price = {
    id: newId("price", 24),
    object: "price",
    active: p.bool("active") ?? true,
    billing_scheme: "per_unit",
    created: em.realNow(),
    currency: p.reqStr("currency").toLowerCase(),
    custom_unit_amount: null,
    livemode: false,
    lookup_key: lookupKey,
    metadata: p.metadata() ?? {},
    nickname: p.str("nickname") ?? null,
    product: productId,
    recurring: recurringP
      ? {
          interval: recurringP.oneOf("interval", INTERVALS) ?? (() => { throw invalidRequest("Missing required param: recurring[interval].", "recurring[interval]", "parameter_missing"); })(),
          interval_count: recurringP.int("interval_count") ?? 1,
          meter: null,
          trial_period_days: recurringP.int("trial_period_days") ?? null,
          usage_type: "licensed",
        }
      : null,
    tax_behavior: p.oneOf("tax_behavior", ["exclusive", "inclusive", "unspecified"] as const) ?? "unspecified",
    tiers_mode: null,
    transform_quantity: null,
    type: recurringP ? "recurring" : "one_time",
    unit_amount: unitAmount,
    unit_amount_decimal: String(unitAmount),
  };
  em.store.put(em.store.prices, price);
  em.emit("price.created", price);
  return price;
}

export function registerPrices(router: Router): void {
  router
    .post("/v1/prices", ({ em, p }) => render(createPrice(em, p)))
    .get("/v1/prices/:id", ({ em, params }) => render(mustGet(em.store.prices, params.id!)))
    .post("/v1/prices/:id", ({ em, params, p }) => {
      const price = mustGet(em.store.prices, params.id!);
      const before = structuredClone(price);
      const lookupKey = p.nullableStr("lookup_key");
      if (lookupKey !== undefined) {
        claimLookupKey(em, lookupKey, p.bool("transfer_lookup_key") ?? false, price);
        price.lookup_key = lookupKey;
      }
      price.active = p.bool("active") ?? price.active;
      const nickname = p.nullableStr("nickname");
      if (nickname !== undefined) price.nickname = nickname;
      price.metadata = mergeMetadata(price.metadata, p.metadata(), p.raw.metadata);
      em.emitChange("price.updated", before, price, ["lookup_key", "active", "nickname", "metadata"]);
      return render(price);
    })
    .get("/v1/prices", ({ em, p }) => {
      const lookupKeys = p.strings("lookup_keys");
      const product = p.str("product");
      const active = p.bool("active");
      const type = p.oneOf("type", ["one_time", "recurring"] as const);
      const currency = p.str("currency");
      const interval = p.obj("recurring")?.str("interval");
      let items = [...em.store.prices.values()];
      if (lookupKeys.length) items = items.filter((x) => x.lookup_key !== null && lookupKeys.includes(x.lookup_key));
      if (product) items = items.filter((x) => x.product === product);
      if (active !== undefined) items = items.filter((x) => x.active === active);
      if (type) items = items.filter((x) => x.type === type);
      if (currency) items = items.filter((x) => x.currency === currency.toLowerCase());
      if (interval) items = items.filter((x) => x.recurring?.interval === interval);
      return render(paginate(em.store, filterCreated(items, p), p, "/v1/prices"));
    });
}
