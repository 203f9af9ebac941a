import { requireStripeTax } from "../account";
import { DAY } from "../clock";
import type { Emulator } from "../emulator";
import { invalidRequest } from "../errors";
import { registerIncludable, render } from "../expand";
import type { Params } from "../form";
import { newId, randomToken } from "../ids";
import { filterCreated, paginate } from "../list";
import type { Router } from "../router";
import type { CheckoutExtras } from "../store";
import type { CheckoutLineItem, CheckoutSession, Price } from "../types";
import { expireSession, lineItemsList, refreshExpiry } from "../engine/checkout";
import { getCustomer } from "./customers";
import { createProduct } from "./products";
import { taxOn } from "../engine/tax";
import { mustGet } from "./util";

/** `price_data` on a line item makes an inactive price on the fly, as Stripe does. */
function inlinePrice(em: Emulator, data: Params): Price {
  let product = data.str("product");
  const productData = data.obj("product_data");
  if (!product && productData) product = createProduct(em, { name: productData.reqStr("name"), description: productData.str("description"), metadata: productData.metadata(), active: false }).id;
  if (!product) throw invalidRequest("Missing required param: price_data[product].", data.name("product"), "parameter_missing");
  const recurring = data.obj("recurring");
  const unit = data.reqInt("unit_amount");
  const price: Price = {
    id: newId("price"),
    object: "price",
    active: false,
    billing_scheme: "per_unit",
    created: em.realNow(),
    currency: data.reqStr("currency").toLowerCase(),
    custom_unit_amount: null,
    livemode: false,
    lookup_key: null,
    metadata: {},
    nickname: null,
    product,
    recurring: recurring
      ? { interval: recurring.oneOf("interval", ["day", "week", "month", "year"] as const) ?? "month", interval_count: recurring.int("interval_count") ?? 1, meter: null, trial_period_days: null, usage_type: "licensed" }
      : null,
    tax_behavior: "unspecified",
    tiers_mode: null,
    transform_quantity: null,
    type: recurring ? "recurring" : "one_time",
    unit_amount: unit,
    unit_amount_decimal: String(unit),
  };
  return em.store.put(em.store.prices, price);
}

function createSession(em: Emulator, p: Params): CheckoutSession {
  const mode = p.oneOf("mode", ["payment", "subscription", "setup"] as const);
  if (!mode) throw invalidRequest("Missing required param: mode.", "mode", "parameter_missing");
  if (mode === "setup") throw invalidRequest("Checkout in setup mode is not available on this server.", "mode");
  const customerId = p.str("customer") ?? null;
  const customerEmail = p.str("customer_email") ?? null;
  if (customerId && customerEmail) throw invalidRequest("You may only specify one of these parameters: customer, customer_email.", "customer_email");
  if (customerId) getCustomer(em, customerId, "customer");
  const uiMode = p.str("ui_mode");
  if (uiMode && uiMode !== "hosted") throw invalidRequest("Only ui_mode=hosted is available on this server.", "ui_mode");
  const automaticTax = p.obj("automatic_tax")?.bool("enabled") ?? false;
  if (automaticTax) requireStripeTax(em);
  const lineParams = p.list("line_items");
  if (lineParams.length === 0) throw invalidRequest("Missing required param: line_items.", "line_items", "parameter_missing");
  const lineItems: CheckoutLineItem[] = lineParams.map((lp) => {
    const priceData = lp.obj("price_data");
    const price = priceData ? inlinePrice(em, priceData) : mustGet(em.store.prices, lp.reqStr("price"), lp.name("price"));
    if (mode === "subscription" && !price.recurring && lineParams.length === 1)
      throw invalidRequest("You must provide at least one recurring price in `subscription` mode when using prices.", lp.name("price"));
    if (mode === "payment" && price.recurring)
      throw invalidRequest("You specified `payment` mode but passed a recurring price. Either switch to `subscription` mode or use only one-time prices.", lp.name("price"));
    const quantity = lp.int("quantity") ?? 1;
    if (quantity < 1) throw invalidRequest("Quantity must be at least 1.", lp.name("quantity"));
    const amount = price.unit_amount * quantity;
    const tax = automaticTax ? taxOn(em, amount) : 0;
    return {
      id: newId("li"),
      object: "item",
      adjustable_quantity: null,
      amount_discount: 0,
      amount_subtotal: amount,
      amount_tax: tax,
      amount_total: amount + tax,
      currency: price.currency,
      description: em.store.products.get(price.product)?.name ?? "",
      metadata: {},
      price: price.id,
      quantity,
    };
  });
  if (mode === "subscription" && lineItems.some((li) => !em.store.prices.get(li.price)?.recurring))
    throw invalidRequest("One-time prices in subscription mode are not available on this server.", "line_items");
  const currency = lineItems[0]!.currency;
  // Without payment_method_types Stripe offers what the account enabled: here cards everywhere, and US bank
  // account debits (asynchronous) for one-off payments in USD.
  const requestedTypes = p.strings("payment_method_types");
  for (const t of requestedTypes) if (!["card", "link", "us_bank_account"].includes(t)) throw invalidRequest(`The payment method type "${t}" is invalid or not available here.`, "payment_method_types");
  const paymentMethodTypes = requestedTypes.length ? requestedTypes : mode === "payment" && currency === "usd" ? ["card", "us_bank_account"] : ["card"];
  const total = lineItems.reduce((s, li) => s + li.amount_total, 0);
  const totalTax = lineItems.reduce((s, li) => s + li.amount_tax, 0);
  const created = em.now(customerId);
  const sd = p.obj("subscription_data");
  const pid = p.obj("payment_intent_data");
  if (sd && mode !== "subscription") throw invalidRequest("You can only specify `subscription_data` in `subscription` mode.", "subscription_data");
  if (pid && mode !== "payment") throw invalidRequest("You can only specify `payment_intent_data` in `payment` mode.", "payment_intent_data");
  const trialEnd = sd?.int("trial_end");
  const trialDays = sd?.int("trial_period_days") ?? (trialEnd ? Math.ceil((trialEnd - created) / DAY) : null);
  if (trialDays !== null && trialDays !== undefined && trialDays < 1) throw invalidRequest("trial_period_days must be at least 1.", "subscription_data[trial_period_days]");
  const extras: CheckoutExtras = {
    lineItems,
    subscriptionData: {
      metadata: sd?.metadata() ?? {},
      trialPeriodDays: trialDays ?? null,
      trialEnd: trialEnd ?? null,
      missingPaymentMethod: sd?.obj("trial_settings")?.obj("end_behavior")?.oneOf("missing_payment_method", ["cancel", "create_invoice", "pause"] as const) ?? "create_invoice",
      billingMode: sd?.obj("billing_mode")?.oneOf("type", ["classic", "flexible"] as const) ?? "flexible",
    },
    paymentIntentData: {
      metadata: pid?.metadata() ?? {},
      description: pid?.str("description") ?? null,
      setupFutureUsage: pid?.oneOf("setup_future_usage", ["off_session", "on_session"] as const) ?? null,
    },
    customerCreation: p.oneOf("customer_creation", ["always", "if_required"] as const) ?? (mode === "subscription" ? "always" : "if_required"),
    automaticTax,
  };
  const id = `cs_test_${randomToken(58)}`;
  const session: CheckoutSession = {
    id,
    object: "checkout.session",
    adaptive_pricing: null,
    after_expiration: null,
    allow_promotion_codes: p.bool("allow_promotion_codes") ?? null,
    amount_subtotal: total - totalTax,
    amount_total: total,
    automatic_tax: { enabled: automaticTax, liability: automaticTax ? { type: "self" } : null, provider: automaticTax ? "stripe" : null, status: automaticTax ? "complete" : null },
    billing_address_collection: p.str("billing_address_collection") ?? null,
    cancel_url: p.str("cancel_url") ?? null,
    client_reference_id: p.str("client_reference_id") ?? null,
    client_secret: null,
    collected_information: null,
    consent: null,
    consent_collection: null,
    created,
    currency,
    currency_conversion: null,
    custom_fields: [],
    custom_text: { after_submit: null, shipping_address: null, submit: null, terms_of_service_acceptance: null },
    customer: customerId,
    customer_account: null,
    customer_creation: customerId ? null : extras.customerCreation,
    customer_details: customerId || customerEmail ? { address: null, email: customerEmail ?? em.store.customers.get(customerId!)?.email ?? null, name: null, phone: null, tax_exempt: "none", tax_ids: [] } : null,
    customer_email: customerEmail,
    discounts: [],
    expires_at: p.int("expires_at") ?? created + DAY,
    integration_identifier: null,
    invoice: null,
    invoice_creation: null,
    livemode: false,
    locale: p.str("locale") ?? null,
    managed_payments: null,
    metadata: p.metadata() ?? {},
    mode,
    origin_context: null,
    payment_intent: null,
    payment_link: null,
    payment_method_collection: mode === "subscription" ? "always" : null,
    payment_method_configuration_details: null,
    payment_method_options: {},
    payment_method_types: paymentMethodTypes,
    payment_status: "unpaid",
    permissions: null,
    phone_number_collection: { enabled: false },
    recovered_from: null,
    saved_payment_method_options: null,
    setup_intent: null,
    shipping_address_collection: null,
    shipping_cost: null,
    shipping_options: [],
    status: "open",
    submit_type: null,
    subscription: null,
    success_url: p.str("success_url") ?? null,
    total_details: { amount_discount: 0, amount_shipping: 0, amount_tax: totalTax },
    ui_mode: "hosted",
    url: `${em.config.publicUrl}/checkout/${id}`,
    wallet_options: null,
  };
  em.store.checkoutExtras.set(id, extras);
  return em.store.put(em.store.checkoutSessions, session);
}

export function registerCheckout(router: Router): void {
  registerIncludable("checkout.session", "line_items", (em, owner) => {
    const session = em.store.checkoutSessions.get(String(owner.id));
    return session ? lineItemsList(em, session) : null;
  });
  router
    .post("/v1/checkout/sessions", ({ em, p }) => render(createSession(em, p)))
    .get("/v1/checkout/sessions/:id", ({ em, params }) => {
      const session = mustGet(em.store.checkoutSessions, params.id!, "session");
      refreshExpiry(em, session);
      return render(session);
    })
    .get("/v1/checkout/sessions/:id/line_items", ({ em, params }) => lineItemsList(em, mustGet(em.store.checkoutSessions, params.id!, "session")))
    .post("/v1/checkout/sessions/:id/expire", ({ em, params }) => {
      const session = mustGet(em.store.checkoutSessions, params.id!, "session");
      expireSession(em, session);
      return render(session);
    })
    .get("/v1/checkout/sessions", ({ em, p }) => {
      let items = [...em.store.checkoutSessions.values()];
      for (const key of ["customer", "payment_intent", "subscription", "status"] as const) {
        const v = p.str(key);
        if (v) items = items.filter((s) => s[key] === v);
      }
      for (const s of items) refreshExpiry(em, s);
      return render(paginate(em.store, filterCreated(items, p), p, "/v1/checkout/sessions"));
    });
}
