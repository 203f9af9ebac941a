import type { Emulator } from "../emulator";
import { StripeError } from "../errors";
import { Params } from "../form";
import { updateSubscription } from "../engine/changes";
import { attemptInvoicePayment } from "../engine/invoicing";
import { attachPaymentMethod, createCardPaymentMethod } from "../engine/payments";
import { releaseSchedule, scheduleFromSubscription, updatePhases } from "../engine/schedules";
import { productName, SUBSCRIPTION_KEYS } from "../engine/subscriptions";
import type { PortalSession, Price, Subscription } from "../types";
import { CUSTOMER_KEYS } from "../resources/customers";
import { alert, cardFields, date, errorMessage, esc, money, page, readCard, type PageResponse } from "./html";

const MONTHS = { day: 1 / 30, week: 7 / 30, month: 1, year: 12 } as const;

function label(em: Emulator, price: Price): string {
  return `${productName(em, price)} (${money(price.unit_amount, price.currency)}/${price.recurring?.interval ?? "once"})`;
}

/**
 * The portal's rule: a shorter interval or a lower amount is a downgrade, applied at period end
 * through a subscription schedule; anything else is an upgrade, applied now with
 * proration_behavior=always_invoice (the difference is charged at once).
 */
export function isDowngrade(from: Price, to: Price): boolean {
  const a = from.recurring!;
  const b = to.recurring!;
  const lenA = MONTHS[a.interval] * a.interval_count;
  const lenB = MONTHS[b.interval] * b.interval_count;
  if (lenB < lenA) return true;
  if (lenB > lenA) return false;
  return to.unit_amount < from.unit_amount;
}

function liveSubscriptions(em: Emulator, customerId: string): Subscription[] {
  return [...em.store.subscriptions.values()].filter((s) => s.customer === customerId && s.status !== "canceled" && s.status !== "incomplete_expired");
}

function subscriptionCard(em: Emulator, session: PortalSession, sub: Subscription): string {
  const item = sub.items.data[0]!;
  const schedule = sub.schedule ? em.store.schedules.get(sub.schedule) : undefined;
  const next = schedule?.phases.find((ph) => ph.start_date >= sub.current_period_end);
  const nextPrice = next?.items[0] ? em.store.prices.get(next.items[0].price) : undefined;
  const action = (name: string, text: string, extra = "", cls = "secondary") =>
    `<form class="inline" method="post" action="/portal/${esc(session.id)}"><input type="hidden" name="action" value="${name}"><input type="hidden" name="subscription" value="${esc(sub.id)}">${extra}<button type="submit" class="${cls}">${esc(text)}</button></form>`;
  const options = [...em.store.prices.values()]
    .filter((p) => p.active && p.recurring && p.id !== item.price.id && p.currency === sub.currency)
    .sort((a, b) => MONTHS[a.recurring!.interval] * a.unit_amount - MONTHS[b.recurring!.interval] * b.unit_amount)
    .map((p) => `<li>${action("switch", `Switch to ${label(em, p)}`, `<input type="hidden" name="price" value="${esc(p.id)}">`)} <span class="muted">${isDowngrade(item.price, p) ? "at period end" : "now, prorated"}</span></li>`)
    .join("");
  return `<section class="subscription" data-subscription="${esc(sub.id)}">
<h2>Current plan</h2>
<p><strong id="current-plan">${esc(label(em, item.price))}</strong> <span class="badge" id="subscription-status">${esc(sub.status)}</span></p>
<p class="muted">${sub.status === "trialing" && sub.trial_end ? `Trial ends ${date(sub.trial_end)}. ` : ""}${sub.cancel_at_period_end ? `Cancels on ${date(sub.current_period_end)}.` : `Renews on ${date(sub.current_period_end)}.`}</p>
${nextPrice ? `<p id="scheduled-change">Changes to ${esc(label(em, nextPrice))} on ${date(next!.start_date)}. ${action("release", "Cancel scheduled change")}</p>` : ""}
${sub.cancel_at_period_end ? action("renew", "Renew plan", "", "") : action("cancel", "Cancel plan")}
<h2>Change plan</h2><ul id="plan-options">${options || "<li class=\"muted\">No other plans.</li>"}</ul>
</section>`;
}

function render(em: Emulator, session: PortalSession, notice?: string | null, error?: string | null, status = 200): PageResponse {
  const customer = em.store.customers.get(session.customer)!;
  const subs = liveSubscriptions(em, customer.id);
  const pmId = subs[0]?.default_payment_method ?? customer.invoice_settings.default_payment_method;
  const pm = pmId ? em.store.paymentMethods.get(pmId) : undefined;
  const invoices = [...em.store.invoices.values()]
    .filter((i) => i.customer === customer.id && i.status !== "draft")
    .sort((a, b) => b.created - a.created || em.store.seq(b.id) - em.store.seq(a.id))
    .slice(0, 10)
    .map((i) => `<tr><td>${date(i.created)}</td><td>${esc(i.number)}</td><td>${esc(i.status)}</td><td class="amount"><a href="${esc(i.hosted_invoice_url)}">${esc(money(i.total, i.currency))}</a></td></tr>`)
    .join("");
  const body = `<h1>${esc(em.config.accountName)}</h1><p class="muted">${esc(customer.email ?? customer.id)} · test mode</p>
${alert("notice", notice)}${alert("error", error)}
${subs.map((s) => subscriptionCard(em, session, s)).join("") || `<p id="no-subscription">No active subscription.</p>`}
<h2>Payment method</h2>
<p id="current-card">${pm?.card ? `${esc(pm.card.brand)} •••• ${esc(pm.card.last4)} (expires ${pm.card.exp_month}/${pm.card.exp_year})` : pm ? `${esc(pm.type)} ${esc(pm.link?.email ?? "")}` : "No card on file."}</p>
<form method="post" action="/portal/${esc(session.id)}" id="card-form"><input type="hidden" name="action" value="update_card">
${cardFields()}
<button type="submit" id="update-card">Update card</button></form>
<h2>Invoices</h2><table id="invoices">${invoices || `<tr><td class="muted">No invoices yet.</td></tr>`}</table>
${session.return_url ? `<p><a id="return-link" href="${esc(session.return_url)}">Return to ${esc(em.config.accountName)}</a></p>` : ""}`;
  return page(`Billing – ${em.config.accountName}`, body, status);
}

function phaseSettings(sub: Subscription): Record<string, unknown> {
  const tax = (sub.automatic_tax as { enabled?: boolean } | undefined)?.enabled ?? false;
  return { automatic_tax: { enabled: String(tax) }, ...(sub.default_payment_method ? { default_payment_method: sub.default_payment_method } : {}), metadata: { ...sub.metadata } };
}

function switchPrice(em: Emulator, sub: Subscription, price: Price): string {
  const item = sub.items.data[0]!;
  const at = em.now(sub.customer);
  if (isDowngrade(item.price, price) && sub.status !== "trialing") {
    const schedule = sub.schedule ? em.store.schedules.get(sub.schedule)! : scheduleFromSubscription(em, sub, at);
    const current = schedule.phases[0]!;
    updatePhases(
      em,
      schedule,
      new Params({
        end_behavior: "release",
        // Like Stripe's portal, both phases repeat the subscription's tax and payment settings.
        phases: [
          { start_date: String(current.start_date), end_date: String(sub.current_period_end), items: current.items.map((i) => ({ price: i.price, quantity: String(i.quantity) })), ...phaseSettings(sub) },
          { start_date: String(sub.current_period_end), items: [{ price: price.id, quantity: String(item.quantity) }], ...phaseSettings(sub) },
        ],
      }),
    );
    return `Your plan changes to ${label(em, price)} on ${date(sub.current_period_end)}.`;
  }
  if (sub.schedule) releaseSchedule(em, em.store.schedules.get(sub.schedule)!, sub, at);
  updateSubscription(em, sub, new Params({ items: [{ id: item.id, price: price.id }], proration_behavior: "always_invoice", payment_behavior: "error_if_incomplete" }));
  return `Your plan is now ${label(em, price)}.`;
}

function updateCard(em: Emulator, session: PortalSession, form: Params): string {
  const customer = em.store.customers.get(session.customer)!;
  const at = em.now(customer.id);
  const pm = createCardPaymentMethod(em, { ...readCard(form), email: customer.email }, at);
  attachPaymentMethod(em, pm, customer.id);
  const before = structuredClone(customer);
  customer.invoice_settings.default_payment_method = pm.id;
  em.emitChange("customer.updated", before, customer, CUSTOMER_KEYS);
  for (const sub of liveSubscriptions(em, customer.id)) {
    const subBefore = structuredClone(sub);
    sub.default_payment_method = pm.id;
    em.emitChange("customer.subscription.updated", subBefore, sub, SUBSCRIPTION_KEYS);
    // Open invoices of a subscription in dunning are retried with the new card at once.
    if (sub.status === "past_due" || sub.status === "unpaid")
      for (const invoice of em.store.invoices.values()) if (invoice.subscription === sub.id && invoice.status === "open") attemptInvoicePayment(em, invoice, at, pm.id);
  }
  return `Card •••• ${pm.card?.last4 ?? ""} saved.`;
}

export function portalPage(em: Emulator, sessionId: string, method: string, form: Params, query: Params): PageResponse {
  const session = em.store.portalSessions.get(sessionId);
  if (!session || !em.store.customers.get(session.customer)) return page("Not found", `<h1>This portal link is not valid.</h1>`, 404);
  if (method !== "POST") return render(em, session, query.str("notice"), query.str("error"));
  const subId = form.str("subscription");
  const sub = subId ? em.store.subscriptions.get(subId) : undefined;
  try {
    let notice: string;
    const action = form.str("action");
    if (action === "update_card") notice = updateCard(em, session, form);
    else if (!sub || sub.customer !== session.customer) return render(em, session, null, "Unknown subscription.", 400);
    else if (action === "switch") {
      const price = em.store.prices.get(form.str("price") ?? "");
      if (!price || !price.recurring) return render(em, session, null, "Unknown plan.", 400);
      notice = switchPrice(em, sub, price);
    } else if (action === "cancel") {
      if (sub.schedule) releaseSchedule(em, em.store.schedules.get(sub.schedule)!, sub, em.now(sub.customer));
      updateSubscription(em, sub, new Params({ cancel_at_period_end: "true" }));
      notice = `Your plan will be canceled on ${date(sub.current_period_end)}.`;
    } else if (action === "renew") {
      updateSubscription(em, sub, new Params({ cancel_at_period_end: "false" }));
      notice = "Your plan will renew.";
    } else if (action === "release") {
      if (sub.schedule) releaseSchedule(em, em.store.schedules.get(sub.schedule)!, sub, em.now(sub.customer));
      notice = "The scheduled change was canceled.";
    } else return render(em, session, null, "Unknown action.", 400);
    return { status: 303, redirect: `/portal/${session.id}?notice=${encodeURIComponent(notice)}` };
  } catch (err) {
    if (!(err instanceof StripeError)) throw err;
    return render(em, session, null, errorMessage(err), err.status);
  }
}
