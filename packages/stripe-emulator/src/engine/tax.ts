import type { Emulator } from "../emulator";
import type { Invoice } from "../types";

/**
 * Stripe Tax, reduced to one rate (`taxPercent`) for every customer and product: enough to tell a
 * purchase billed with automatic tax from one billed without it. Prices are tax-exclusive (as the app
 * creates them), so tax is added on top of the amount.
 */
export function taxOn(em: Emulator, amount: number): number {
  if (amount <= 0) return 0;
  return Math.round((amount * em.config.taxPercent) / 100);
}

export function taxRateDetails(em: Emulator) {
  return { country: "US", percentage_decimal: em.config.taxPercent.toFixed(4), state: null, tax_type: "sales_tax" };
}

/**
 * Puts automatic tax on a draft invoice: each positive line is taxed, negative (credit) lines reduce the
 * taxable amount, as Stripe nets prorations. The total becomes subtotal plus tax.
 */
export function applyInvoiceTax(em: Emulator, invoice: Invoice): void {
  const taxable = invoice.lines.data.reduce((s, l) => s + l.amount, 0);
  const tax = taxOn(em, taxable);
  invoice.automatic_tax = { disabled_reason: null, enabled: true, liability: { type: "self" }, provider: "stripe", status: "complete" };
  invoice.total_taxes = [
    { amount: tax, tax_behavior: "exclusive", tax_rate_details: { tax_rate: "txr_automatic" }, taxability_reason: "standard_rated", taxable_amount: Math.max(0, taxable), type: "tax_rate_details" },
  ];
  invoice.subtotal_excluding_tax = invoice.subtotal;
  invoice.total_excluding_tax = invoice.subtotal;
  invoice.total = invoice.subtotal + tax;
  invoice.amount_due = invoice.total;
  invoice.amount_remaining = invoice.total;
}
