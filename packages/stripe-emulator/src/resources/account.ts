import { newPortalConfiguration, refreshTaxStatus, type PortalConfiguration, type PortalFeatures } from "../account";
import { invalidRequest } from "../errors";
import { render } from "../expand";
import { mergeMetadata, type Params } from "../form";
import { paginate } from "../list";
import type { Router } from "../router";
import type { StripeObject } from "../types";
import { mustGet } from "./util";

const PRORATION = ["always_invoice", "create_prorations", "none"] as const;

/** Writes the `features[...]` parameters of a create or update over `f`; what is not sent is kept. */
function applyFeatures(f: PortalFeatures, p: Params | undefined): void {
  if (!p) return;
  const cu = p.obj("customer_update");
  if (cu) {
    f.customer_update.enabled = cu.bool("enabled") ?? f.customer_update.enabled;
    if (cu.has("allowed_updates")) f.customer_update.allowed_updates = cu.strings("allowed_updates");
  }
  const ih = p.obj("invoice_history");
  if (ih) f.invoice_history.enabled = ih.bool("enabled") ?? f.invoice_history.enabled;
  const pm = p.obj("payment_method_update");
  if (pm) {
    f.payment_method_update.enabled = pm.bool("enabled") ?? f.payment_method_update.enabled;
    const config = pm.nullableStr("payment_method_configuration");
    if (config !== undefined) f.payment_method_update.payment_method_configuration = config;
  }
  const sc = p.obj("subscription_cancel");
  if (sc) {
    f.subscription_cancel.enabled = sc.bool("enabled") ?? f.subscription_cancel.enabled;
    f.subscription_cancel.mode = sc.oneOf("mode", ["at_period_end", "immediately"] as const) ?? f.subscription_cancel.mode;
    f.subscription_cancel.proration_behavior = sc.oneOf("proration_behavior", PRORATION) ?? f.subscription_cancel.proration_behavior;
    const reason = sc.obj("cancellation_reason");
    if (reason) f.subscription_cancel.cancellation_reason = { enabled: reason.bool("enabled") ?? false, options: reason.strings("options") };
  }
  const sp = p.obj("subscription_pause");
  if (sp) f.subscription_pause.enabled = sp.bool("enabled") ?? f.subscription_pause.enabled;
  const su = p.obj("subscription_update");
  if (su) {
    f.subscription_update.enabled = su.bool("enabled") ?? f.subscription_update.enabled;
    if (su.has("default_allowed_updates")) f.subscription_update.default_allowed_updates = su.strings("default_allowed_updates");
    f.subscription_update.proration_behavior = su.oneOf("proration_behavior", PRORATION) ?? f.subscription_update.proration_behavior;
    if (su.has("products")) f.subscription_update.products = su.list("products").map((x) => ({ adjustable_quantity: { enabled: false, maximum: null, minimum: 1 }, prices: x.strings("prices"), product: x.reqStr("product") }));
  }
}

function applyConfiguration(c: PortalConfiguration, p: Params): void {
  const bp = p.obj("business_profile");
  if (bp) {
    for (const key of ["headline", "privacy_policy_url", "terms_of_service_url"] as const) {
      const v = bp.nullableStr(key);
      if (v !== undefined) c.business_profile[key] = v;
    }
  }
  const returnUrl = p.nullableStr("default_return_url");
  if (returnUrl !== undefined) c.default_return_url = returnUrl;
  const name = p.nullableStr("name");
  if (name !== undefined) c.name = name;
  const login = p.obj("login_page")?.bool("enabled");
  if (login !== undefined) c.login_page = login ? { enabled: true, url: `https://billing.stripe.com/p/login/test_${c.id.slice(4, 16)}` } : { enabled: false, url: null };
  applyFeatures(c.features, p.obj("features"));
  c.metadata = mergeMetadata(c.metadata ?? {}, p.metadata(), p.raw.metadata);
}

/**
 * The account's own settings, which `npm run stripe:setup` reads and writes: Stripe Tax's settings
 * (`/v1/tax/settings`) and billing portal configurations (`/v1/billing_portal/configurations`).
 */
export function registerAccount(router: Router): void {
  router
    .get("/v1/tax/settings", ({ em }) => render(em.account.taxSettings))
    .post("/v1/tax/settings", ({ em, p }) => {
      const settings = em.account.taxSettings;
      const before = structuredClone(settings);
      const defaults = p.obj("defaults");
      if (defaults) {
        settings.defaults.tax_behavior = defaults.oneOf("tax_behavior", ["exclusive", "inclusive", "inferred_by_currency"] as const) ?? settings.defaults.tax_behavior;
        settings.defaults.tax_code = defaults.str("tax_code") ?? settings.defaults.tax_code;
      }
      const address = p.obj("head_office")?.obj("address");
      if (address) {
        const country = address.str("country");
        if (!country) throw invalidRequest("Missing required param: head_office[address][country].", "head_office[address][country]", "parameter_missing");
        settings.head_office = {
          address: { city: address.str("city") ?? null, country, line1: address.str("line1") ?? null, line2: address.str("line2") ?? null, postal_code: address.str("postal_code") ?? null, state: address.str("state") ?? null },
        };
      }
      refreshTaxStatus(settings);
      // tax.settings has no id or created: the event carries the settings object as they are.
      if (JSON.stringify(before) !== JSON.stringify(settings)) em.emit("tax.settings.updated", render(settings) as unknown as StripeObject);
      return render(settings);
    })
    .post("/v1/billing_portal/configurations", ({ em, p }) => {
      if (!p.obj("features")) throw invalidRequest("Missing required param: features.", "features", "parameter_missing");
      const configuration = newPortalConfiguration(em);
      applyConfiguration(configuration, p);
      em.emit("billing_portal.configuration.created", configuration);
      return render(configuration);
    })
    .get("/v1/billing_portal/configurations/:id", ({ em, params }) => render(mustGet(em.store.portalConfigurations, params.id!, "configuration")))
    .post("/v1/billing_portal/configurations/:id", ({ em, params, p }) => {
      const configuration = mustGet(em.store.portalConfigurations, params.id!, "configuration");
      const before = structuredClone(configuration);
      const active = p.bool("active");
      if (active === false && configuration.is_default) throw invalidRequest("You cannot deactivate the default configuration.", "active");
      if (active !== undefined) configuration.active = active;
      applyConfiguration(configuration, p);
      configuration.updated = em.realNow();
      em.emitChange("billing_portal.configuration.updated", before, configuration, ["active", "business_profile", "default_return_url", "features", "login_page", "metadata", "name"]);
      return render(configuration);
    })
    .get("/v1/billing_portal/configurations", ({ em, p }) => {
      const active = p.bool("active");
      const isDefault = p.bool("is_default");
      let items = [...em.store.portalConfigurations.values()];
      if (active !== undefined) items = items.filter((c) => c.active === active);
      if (isDefault !== undefined) items = items.filter((c) => c.is_default === isDefault);
      return render(paginate(em.store, items, p, "/v1/billing_portal/configurations"));
    });
}
