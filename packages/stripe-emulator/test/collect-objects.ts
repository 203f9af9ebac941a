import Stripe from "stripe";
import { CARDS, payOnHostedPage, settled, type Catalog, type TestEnv } from "../src/testing";

/**
 * Drives the emulator through what Tally does (a subscription bought through Checkout on a test clock, a
 * schedule, a pack bought and refunded, a disputed payment, the portal, a webhook endpoint, tax) and
 * returns one object of each type the app reads, as the SDK received it, keyed by Stripe's object name.
 */
export async function collectObjects(env: TestEnv, catalog: Catalog): Promise<Record<string, Record<string, unknown>>> {
  const { stripe } = env;
  const T0 = Date.UTC(2026, 0, 1) / 1000;
  const clock = await stripe.testHelpers.testClocks.create({ frozen_time: T0, name: "conformance" });
  const customer = await stripe.customers.create({ email: "shape@example.com", test_clock: clock.id, address: { country: "US", postal_code: "94103" } });
  const session = await stripe.checkout.sessions.create({ mode: "subscription", customer: customer.id, line_items: [{ price: catalog.starter.id, quantity: 1 }], success_url: "http://app.local/ok", automatic_tax: { enabled: true } });
  if ((await payOnHostedPage(session.url!, CARDS.ok)).status !== 303) throw new Error("checkout was not paid");
  const paidSession = await stripe.checkout.sessions.retrieve(session.id);
  const subscription = await stripe.subscriptions.retrieve(paidSession.subscription as string);
  const invoice = await stripe.invoices.retrieve(subscription.latest_invoice as string, { expand: ["payments"] });
  const invoicePayment = invoice.payments!.data[0]!;
  const paymentIntent = await stripe.paymentIntents.retrieve(invoicePayment.payment.payment_intent as string);
  const charge = await stripe.charges.retrieve(paymentIntent.latest_charge as string);
  const paymentMethod = await stripe.paymentMethods.retrieve(subscription.default_payment_method as string);
  const schedule = await stripe.subscriptionSchedules.create({ from_subscription: subscription.id });

  const pack = await stripe.checkout.sessions.create({ mode: "payment", customer: customer.id, line_items: [{ price: catalog.pack.id, quantity: 1 }], success_url: "http://app.local/ok" });
  if ((await payOnHostedPage(pack.url!, CARDS.ok)).status !== 303) throw new Error("pack was not paid");
  const packLine = (await stripe.checkout.sessions.listLineItems(pack.id)).data[0]!;
  const refund = await stripe.refunds.create({ payment_intent: (await stripe.checkout.sessions.retrieve(pack.id)).payment_intent as string, amount: 500 });

  const disputed = await stripe.checkout.sessions.create({ mode: "payment", line_items: [{ price: catalog.pack.id, quantity: 1 }], success_url: "http://app.local/ok" });
  if ((await payOnHostedPage(disputed.url!, CARDS.disputed)).status !== 303) throw new Error("disputed payment was not paid");
  await settled(env);
  const dispute = (await stripe.disputes.list({ payment_intent: (await stripe.checkout.sessions.retrieve(disputed.id)).payment_intent as string })).data[0]!;

  const configuration = (await stripe.billingPortal.configurations.list({ limit: 1 })).data[0]!;
  const portal = await stripe.billingPortal.sessions.create({ customer: customer.id, return_url: "http://app.local/billing" });
  const endpoint = await stripe.webhookEndpoints.create({ url: "http://app.local/api/webhooks/stripe", enabled_events: ["invoice.paid"] });
  const event = (await stripe.events.list({ limit: 1 })).data[0]!;
  const calculation = await stripe.tax.calculations.create({ currency: "usd", customer: customer.id, line_items: [{ amount: 2000, reference: "pack" }] });
  const objects: Record<string, unknown> = {
    "checkout.session": paidSession,
    customer: await stripe.customers.retrieve(customer.id),
    subscription,
    subscription_item: subscription.items.data[0],
    subscription_schedule: schedule,
    invoice,
    line_item: invoice.lines.data[0],
    invoice_payment: invoicePayment,
    payment_intent: paymentIntent,
    payment_method: paymentMethod,
    charge,
    refund,
    dispute,
    price: await stripe.prices.retrieve(catalog.starter.id),
    product: await stripe.products.retrieve(catalog.starter.product as string),
    item: packLine,
    "billing_portal.session": portal,
    "billing_portal.configuration": configuration,
    webhook_endpoint: endpoint,
    event,
    "test_helpers.test_clock": await stripe.testHelpers.testClocks.retrieve(clock.id),
    "tax.settings": await stripe.tax.settings.retrieve(),
    "tax.calculation": calculation,
  };
  // The SDK adds `lastResponse` to what it returns; it is not part of the object.
  return Object.fromEntries(Object.entries(objects).map(([type, o]) => [type, Object.fromEntries(Object.entries(o as Record<string, unknown>).filter(([k]) => k !== "lastResponse"))]));
}

export type { Stripe };
