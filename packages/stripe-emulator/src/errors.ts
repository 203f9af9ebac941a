export type StripeErrorType =
  | "api_error"
  | "card_error"
  | "idempotency_error"
  | "invalid_request_error"
  | "authentication_error"
  | "rate_limit_error";

export interface StripeErrorBody {
  type: StripeErrorType;
  message: string;
  code?: string;
  param?: string;
  decline_code?: string;
  doc_url?: string;
  charge?: string;
  payment_intent?: unknown;
  payment_method?: unknown;
}

/** An error answered in Stripe's shape: `{ error: { type, code?, message, param? } }`. */
export class StripeError extends Error {
  constructor(
    readonly status: number,
    readonly body: StripeErrorBody,
  ) {
    super(body.message);
  }

  toJSON(): { error: StripeErrorBody } {
    return { error: this.body };
  }
}

export function invalidRequest(message: string, param?: string, code?: string): StripeError {
  return new StripeError(400, { type: "invalid_request_error", message, ...(param ? { param } : {}), ...(code ? { code } : {}) });
}

export function missingParam(param: string): StripeError {
  return invalidRequest(`Missing required param: ${param}.`, param, "parameter_missing");
}

export function notFound(id: string, param = "id"): StripeError {
  return new StripeError(404, {
    type: "invalid_request_error",
    code: "resource_missing",
    param,
    message: `No such ${describe(id)}: '${id}'`,
    doc_url: "https://stripe.com/docs/error-codes/resource-missing",
  });
}

export function unknownRoute(method: string, path: string): StripeError {
  return new StripeError(404, {
    type: "invalid_request_error",
    message: `Unrecognized request URL (${method}: ${path}). Please see https://stripe.com/docs or we can help at https://support.stripe.com/.`,
  });
}

function describe(id: string): string {
  const prefixes: [string, string][] = [
    ["cus_", "customer"],
    ["prod_", "product"],
    ["price_", "price"],
    ["cs_", "checkout.session"],
    ["bps_", "billing portal session"],
    ["bpc_", "configuration"],
    ["sub_sched_", "subscription schedule"],
    ["sub_", "subscription"],
    ["si_", "subscription item"],
    ["in_", "invoice"],
    ["pi_", "payment_intent"],
    ["ch_", "charge"],
    ["re_", "refund"],
    ["pm_", "PaymentMethod"],
    ["evt_", "event"],
    ["we_", "webhook endpoint"],
    ["clock_", "test clock"],
  ];
  return prefixes.find(([p]) => id.startsWith(p))?.[1] ?? "object";
}
