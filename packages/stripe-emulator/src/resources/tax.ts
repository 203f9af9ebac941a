import { requireStripeTax } from "../account";
import { invalidRequest } from "../errors";
import { render } from "../expand";
import { newId } from "../ids";
import type { Router } from "../router";
import { taxOn, taxRateDetails } from "../engine/tax";
import type { TaxCalculation } from "../types";
import { getCustomer } from "./customers";
import { mustGet } from "./util";

const CALCULATION_LIFETIME = 90 * 86_400;

/**
 * Stripe Tax calculations (`POST /v1/tax/calculations`, retrieve): tax for line items of a one-off payment,
 * at the emulator's one rate. A PaymentIntent links one through `hooks[inputs][tax][calculation]` and
 * charges its `amount_total`. Only tax-exclusive amounts are supported (as the app's prices are).
 */
export function registerTax(router: Router): void {
  router
    .post("/v1/tax/calculations", ({ em, p }) => {
      requireStripeTax(em);
      const currency = p.reqStr("currency").toLowerCase();
      const customerId = p.str("customer") ?? null;
      if (customerId) getCustomer(em, customerId);
      else if (!p.obj("customer_details")) throw invalidRequest("Missing required param: customer_details.", "customer_details", "parameter_missing");
      const lines = p.list("line_items");
      if (lines.length === 0) throw invalidRequest("Missing required param: line_items.", "line_items", "parameter_missing");
      const id = newId("taxcalc");
      const now = em.now(customerId);
      const items = lines.map((li) => {
        const amount = li.reqInt("amount");
        const behaviour = li.oneOf("tax_behavior", ["exclusive", "inclusive"] as const) ?? "exclusive";
        if (behaviour !== "exclusive") throw invalidRequest("Only tax_behavior=exclusive is available on this server.", li.name("tax_behavior"));
        const tax = taxOn(em, amount);
        return {
          id: newId("tax_li"),
          object: "tax.calculation_line_item",
          amount,
          amount_tax: tax,
          livemode: false,
          product: li.str("product") ?? null,
          quantity: li.int("quantity") ?? 1,
          reference: li.str("reference") ?? null,
          tax_behavior: behaviour,
          tax_code: li.str("tax_code") ?? "txcd_10000000",
        };
      });
      const subtotal = items.reduce((s, i) => s + i.amount, 0);
      const tax = items.reduce((s, i) => s + i.amount_tax, 0);
      const calculation: TaxCalculation = {
        id,
        object: "tax.calculation",
        amount_total: subtotal + tax,
        currency,
        customer: customerId,
        customer_details: { address: null, address_source: null, ip_address: null, tax_ids: [], taxability_override: "none" },
        expires_at: now + CALCULATION_LIFETIME,
        line_items: { object: "list", data: items, has_more: false, url: `/v1/tax/calculations/${id}/line_items` },
        livemode: false,
        ship_from_details: null,
        shipping_cost: null,
        tax_amount_exclusive: tax,
        tax_amount_inclusive: 0,
        tax_breakdown: [{ amount: tax, inclusive: false, tax_rate_details: taxRateDetails(em), taxability_reason: "standard_rated", taxable_amount: subtotal }],
        tax_date: now,
      };
      em.store.taxCalculations.set(id, calculation);
      return render(calculation);
    })
    .get("/v1/tax/calculations/:id", ({ em, params }) => render(mustGet(em.store.taxCalculations, params.id!, "calculation")));
}
