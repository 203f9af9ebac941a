import { expect, test, type Page } from "@playwright/test";
import Stripe from "stripe";
import { failOnCspViolations } from "./csp";
import { formatMoney } from "../lib/format";
import { confirmIn, payOnCheckoutPage, shooter, signUp } from "./helpers";

failOnCspViolations();

// Renewals, as the owner sees them: one whose card asks for 3-D Secure off session, and the first renewal after
// a scheduled downgrade. The app creates its Stripe customers on the wall clock, so a renewal is a month away:
// the test puts the customer on a test clock through the emulator's control route (not Stripe's API) and
// advances that clock past the period end. Everything after that reaches the app as in production, by the
// events the emulator delivers to the webhook route. Screenshots go to e2e/artifacts (not committed).

const shoot = shooter("renewals");
const AUTH_ALWAYS = "4000 0027 6000 3184";
const HOUR = 3600;

/** Reloads `path` until `check` passes: the page shows what a webhook did once it has arrived. */
async function eventually(page: Page, path: string, check: () => Promise<void>) {
  await expect(async () => {
    await page.goto(path);
    await check();
  }).toPass({ timeout: 20_000 });
}

/**
 * Subscribes to `plan` (monthly) through checkout with `card` (a 3-D Secure card completes the bank's challenge on
 * the way) and answers a Stripe client for the emulator that served the checkout page, with its address.
 */
async function subscribe(page: Page, slug: string, plan: "Starter" | "Pro", card: string) {
  await page.goto(`/w/${slug}/plans`);
  await page.getByTestId(`plan-${plan.toLowerCase()}`).getByRole("button", { name: `Choose ${plan}` }).click();
  await expect(page).toHaveURL(/\/checkout\/cs_/);
  const emulator = new URL(page.url());
  await payOnCheckoutPage(page, card);
  if (card === AUTH_ALWAYS) {
    await expect(page.getByRole("heading", { name: "Confirm your payment" })).toBeVisible();
    await page.getByRole("button", { name: "Complete authentication" }).click();
  }
  await page.waitForURL(new RegExp(`/w/${slug}/billing\\?checkout=success`));
  await expect(page.getByTestId("plan-name")).toHaveText(plan);
  const stripe = new Stripe("sk_test_e2e", { host: emulator.hostname, port: Number(emulator.port), protocol: "http" });
  return { stripe, emulator: emulator.origin };
}

/** The owner's Stripe customer (the app names it by the owner's email) and its one subscription. */
async function customerOf(stripe: Stripe, email: string) {
  const customers = (await stripe.customers.list({ email })).data;
  expect(customers).toHaveLength(1);
  const subscriptions = (await stripe.subscriptions.list({ customer: customers[0]!.id })).data;
  expect(subscriptions).toHaveLength(1);
  return { customer: customers[0]!, subscription: subscriptions[0]! };
}

/**
 * Time passes for this customer only: moved onto a test clock frozen at the current time, which is then advanced
 * past the period end and the hour Stripe leaves a renewal invoice a draft, so the renewal is charged.
 */
async function passRenewal(stripe: Stripe, emulator: string, customerId: string, periodEnd: number) {
  const moved = await fetch(`${emulator}/__emulator/customers/${customerId}/test_clock`, { method: "POST" });
  expect(moved.status).toBe(200);
  const clock = (await moved.json()) as Stripe.TestHelpers.TestClock;
  await stripe.testHelpers.testClocks.advance(clock.id, { frozen_time: periodEnd + HOUR + 60 });
  await expect.poll(async () => (await stripe.testHelpers.testClocks.retrieve(clock.id)).status, { timeout: 20_000 }).toBe("ready");
}

async function setTaxPercent(emulator: string, percent: number) {
  const res = await fetch(`${emulator}/__emulator/tax`, { method: "POST", body: new URLSearchParams({ percent: String(percent) }) });
  expect(res.status).toBe(200);
}

/** The billing page's alert about a payment waiting for 3-D Secure. */
const authenticationAlert = (page: Page) => page.getByRole("region", { name: "Alerts" }).getByRole("listitem").filter({ hasText: "Payment needs authentication" });

async function renewalInvoice(stripe: Stripe, subscriptionId: string) {
  const renewals = (await stripe.invoices.list({ subscription: subscriptionId, limit: 10 })).data.filter((i) => i.billing_reason === "subscription_cycle");
  expect(renewals).toHaveLength(1);
  return renewals[0]!;
}

test("a renewal needing authentication: billing and invoices say so with the hosted invoice link; confirmed there, the warning goes and the invoice is paid", async ({ page }) => {
  const { email, slug } = await signUp(page, { workspace: "Renewal SCA Co" });
  const { stripe, emulator } = await subscribe(page, slug, "Starter", AUTH_ALWAYS);
  const { customer, subscription } = await customerOf(stripe, email);
  await passRenewal(stripe, emulator, customer.id, subscription.items.data[0]!.current_period_end);

  // Off session, the bank asks again: the renewal invoice stays open, waiting for the owner.
  const renewal = await renewalInvoice(stripe, subscription.id);
  expect(renewal.status).toBe("open");
  const hosted = renewal.hosted_invoice_url!;
  expect(hosted).toContain(`/invoices/${renewal.id}`);

  // The alert comes with the invoice's event and the status with the subscription's: they may land apart.
  const alert = authenticationAlert(page);
  await eventually(page, `/w/${slug}/billing`, async () => {
    await expect(alert).toBeVisible({ timeout: 1000 });
    await expect(page.getByTestId("plan-status")).toHaveText("Payment overdue", { timeout: 1000 });
  });
  await expect(alert).toContainText(`Your bank asks you to confirm the payment of ${formatMoney(renewal.amount_due, renewal.currency)} for your plan (3-D Secure).`);
  await expect(alert.getByTestId("confirm-payment-link")).toHaveAttribute("href", hosted);
  await expect(page.getByTestId("plan-name")).toHaveText("Starter");
  await shoot(page, "billing-authentication");

  await page.goto(`/w/${slug}/invoices`);
  const row = page.getByTestId("invoice-row").first();
  await expect(row.getByTestId("invoice-status")).toHaveText("Open: payment needs your authentication (3-D Secure)");
  await expect(row).toContainText(formatMoney(renewal.amount_due, renewal.currency));
  await expect(row.getByRole("link", { name: /Confirm payment/ })).toHaveAttribute("href", hosted);
  await shoot(page, "invoices-authentication");

  // The owner follows the billing page's link and confirms on Stripe's page.
  await page.goto(`/w/${slug}/billing`);
  await page.getByTestId("confirm-payment-link").click();
  await page.waitForURL(hosted);
  await expect(page.getByText("Your bank needs you to confirm this payment (3-D Secure).")).toBeVisible();
  await page.getByRole("button", { name: "Complete authentication" }).click();
  await expect(page.locator("#invoice-status")).toHaveText("paid");
  expect((await stripe.invoices.retrieve(renewal.id)).status).toBe("paid");

  await eventually(page, `/w/${slug}/billing`, async () => {
    await expect(page.getByTestId("plan-status")).toHaveText("Active", { timeout: 1000 });
  });
  await expect(alert).toHaveCount(0);
  await expect(page.getByTestId("confirm-payment-link")).toHaveCount(0);
  await expect(page.getByTestId("plan-name")).toHaveText("Starter");
  await page.goto(`/w/${slug}/invoices`);
  await expect(page.getByTestId("invoice-row").first().getByTestId("invoice-status")).toHaveText("Paid");
  await expect(page.getByRole("link", { name: /Confirm payment/ })).toHaveCount(0);
});

test("a scheduled downgrade's renewal keeps tax and card: Starter is billed with automatic tax to the card Pro was paid with", async ({ page }) => {
  const { email, slug } = await signUp(page, { workspace: "Downgrade Renewal Co" });
  const { stripe, emulator } = await subscribe(page, slug, "Pro", "4242 4242 4242 4242");
  const { customer, subscription } = await customerOf(stripe, email);
  expect(subscription.automatic_tax.enabled).toBe(true);
  const card = subscription.default_payment_method as string;
  expect(card).toMatch(/^pm_/);

  await page.goto(`/w/${slug}/plans`);
  await page.getByTestId("plan-starter").getByRole("button", { name: "Switch to Starter at renewal" }).click();
  await confirmIn(page, "Yes, switch to Starter");
  await expect(page.getByTestId("pending-change")).toContainText("Scheduled: moves to Starter (monthly)");

  // Stripe Tax charges 10% for this renewal (the emulator's default rate is 0, which would hide a dropped tax).
  await setTaxPercent(emulator, 10);
  try {
    await passRenewal(stripe, emulator, customer.id, subscription.items.data[0]!.current_period_end);
  } finally {
    await setTaxPercent(emulator, 0);
  }

  const renewed = await stripe.subscriptions.retrieve(subscription.id);
  const starterPrice = renewed.items.data[0]!.price;
  expect([starterPrice.lookup_key, starterPrice.unit_amount]).toEqual([expect.stringMatching(/^starter_/), 999]);
  expect([renewed.status, renewed.automatic_tax.enabled, renewed.default_payment_method]).toEqual(["active", true, card]);
  const renewal = await renewalInvoice(stripe, subscription.id);
  const tax = renewal.total_taxes?.reduce((sum, t) => sum + t.amount, 0) ?? 0;
  expect([renewal.status, renewal.automatic_tax.enabled, renewal.subtotal, tax, renewal.total]).toEqual(["paid", true, 999, 100, 1099]);
  const paymentIntent = renewal.payments?.data[0]?.payment.payment_intent as string;
  expect((await stripe.paymentIntents.retrieve(paymentIntent)).payment_method).toBe(card);

  await eventually(page, `/w/${slug}/billing`, async () => {
    await expect(page.getByTestId("plan-name")).toHaveText("Starter", { timeout: 1000 });
  });
  await expect(page.getByTestId("plan-status")).toHaveText("Active");
  await expect(page.getByTestId("pending-change")).toHaveCount(0);
  await expect(authenticationAlert(page)).toHaveCount(0);
  await page.goto(`/w/${slug}/invoices`);
  const newest = page.getByTestId("invoice-row").first();
  await expect(newest).toContainText(formatMoney(1099, "usd"));
  await expect(newest.getByTestId("invoice-status")).toHaveText("Paid");
  await shoot(page, "invoices-downgrade-renewal");
});
