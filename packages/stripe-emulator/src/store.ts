import type { CardInput } from "./engine/payments";
import type { PortalConfiguration } from "./account";
import type {
  Charge,
  CheckoutLineItem,
  CheckoutSession,
  Customer,
  Dispute,
  Invoice,
  PendingLine,
  PaymentIntent,
  PaymentMethod,
  PortalSession,
  Price,
  Product,
  Refund,
  StripeEvent,
  StripeObject,
  Subscription,
  SubscriptionSchedule,
  TaxCalculation,
  TestClock,
  WebhookEndpoint,
} from "./types";

/**
 * How a test card behaves (Stripe's test numbers): `auth_unless_setup` needs 3-D Secure for every payment
 * until it was saved with an authentication (4000 0025 0000 3155), `auth_always` for every payment
 * (4000 0027 6000 3184); `insufficient_funds` attaches but every charge is declined (4000 0000 0000 9995).
 */
export type CardBehaviour = "succeed" | "decline" | "attach_then_fail" | "insufficient_funds" | "auth_unless_setup" | "auth_always";

/** A bank debit waiting to settle (us_bank_account): it succeeds or fails at `settleAt`. */
export interface PendingDebit {
  paymentIntent: string;
  settleAt: number;
  outcome: "succeed" | { code: string; message: string };
}

/** A subscription change made with payment_behavior=pending_if_incomplete, applied once its invoice is paid. */
export interface PendingUpdateRecord {
  invoice: string;
  apply: (at: number) => void;
}

/** Checkout options kept beside the session (Stripe does not echo all of them). */
export interface CheckoutExtras {
  lineItems: CheckoutLineItem[];
  subscriptionData: { metadata: Record<string, string>; trialPeriodDays: number | null; /** subscription_data.trial_end: the trial ends exactly then. */ trialEnd: number | null; missingPaymentMethod: "cancel" | "create_invoice" | "pause"; billingMode: BillingModeType };
  paymentIntentData: { metadata: Record<string, string>; description: string | null; setupFutureUsage: "off_session" | "on_session" | null };
  customerCreation: "always" | "if_required";
  automaticTax: boolean;
}

/** Dunning progress of an open subscription invoice. */
export interface DunningState {
  firstFailedAt: number;
  retriesDone: number;
}

export type { PendingLine } from "./types";

/** subscription_data[billing_mode][type]: Stripe's default at the pinned version is flexible. */
export type BillingModeType = "classic" | "flexible";

export class Store {
  customers = new Map<string, Customer>();
  products = new Map<string, Product>();
  prices = new Map<string, Price>();
  paymentMethods = new Map<string, PaymentMethod>();
  checkoutSessions = new Map<string, CheckoutSession>();
  portalSessions = new Map<string, PortalSession>();
  portalConfigurations = new Map<string, PortalConfiguration>();
  subscriptions = new Map<string, Subscription>();
  schedules = new Map<string, SubscriptionSchedule>();
  invoices = new Map<string, Invoice>();
  paymentIntents = new Map<string, PaymentIntent>();
  charges = new Map<string, Charge>();
  refunds = new Map<string, Refund>();
  disputes = new Map<string, Dispute>();
  events = new Map<string, StripeEvent>();
  webhookEndpoints = new Map<string, WebhookEndpoint>();
  testClocks = new Map<string, TestClock>();
  taxCalculations = new Map<string, TaxCalculation>();

  cardBehaviour = new Map<string, CardBehaviour>();
  /** Cards saved with a 3-D Secure authentication: 3155 then pays off-session without one. */
  setUpCards = new Set<string>();
  /** Payment methods whose successful charges are disputed as fraudulent (test card 4000 0000 0000 0259). */
  disputedCards = new Set<string>();
  /** Card details waiting on a hosted page's 3-D Secure challenge, by challenge token. */
  challenges = new Map<string, { page: string; card: CardInput }>();
  pendingDebits = new Map<string, PendingDebit>();
  /** The account number behind each us_bank_account payment method (it decides how its debits settle). */
  bankAccounts = new Map<string, string>();
  pendingUpdates = new Map<string, PendingUpdateRecord>();
  /** Payment methods whose refunds fail after being created (test card 4000 0000 0000 5126). */
  refundsFail = new Set<string>();
  checkoutExtras = new Map<string, CheckoutExtras>();
  dunning = new Map<string, DunningState>();
  pendingLines = new Map<string, PendingLine[]>();
  invoiceCounter = new Map<string, number>();
  trialNoticeSent = new Set<string>();

  private order = new Map<string, number>();
  private counter = 0;

  /** Stores an object and remembers its insertion order (lists are newest first). */
  put<T extends StripeObject>(map: Map<string, T>, obj: T): T {
    map.set(obj.id, obj);
    if (!this.order.has(obj.id)) this.order.set(obj.id, ++this.counter);
    return obj;
  }

  seq(id: string): number {
    return this.order.get(id) ?? 0;
  }

  /** Finds any stored object by its id prefix (used by `expand[]`). */
  lookup(id: string): StripeObject | undefined {
    const table: [string, Map<string, StripeObject>][] = [
      ["cus_", this.customers],
      ["prod_", this.products],
      ["price_", this.prices],
      ["pm_", this.paymentMethods],
      ["cs_", this.checkoutSessions],
      ["bps_", this.portalSessions],
      ["bpc_", this.portalConfigurations],
      ["sub_sched_", this.schedules],
      ["sub_", this.subscriptions],
      ["in_", this.invoices],
      ["pi_", this.paymentIntents],
      ["ch_", this.charges],
      ["re_", this.refunds],
      ["dp_", this.disputes],
      ["evt_", this.events],
      ["we_", this.webhookEndpoints],
      ["clock_", this.testClocks],
      ["taxcalc_", this.taxCalculations as unknown as Map<string, StripeObject>],
    ];
    for (const [prefix, map] of table) if (id.startsWith(prefix)) return map.get(id);
    if (id.startsWith("si_")) {
      for (const sub of this.subscriptions.values()) {
        const item = sub.items.data.find((i) => i.id === id);
        if (item) return item;
      }
    }
    return undefined;
  }

  reset(): void {
    for (const value of Object.values(this)) if (value instanceof Map || value instanceof Set) value.clear();
    this.counter = 0;
  }
}
