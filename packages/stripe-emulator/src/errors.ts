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
  /**
   * The parameters failed validation before the endpoint ran. Stripe saves no idempotent result for such a
   * request (the same key may be used again with corrected parameters); every other error is saved and replayed.
   */
  validation = false;

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
  const error = new StripeError(400, { type: "invalid_request_error", message, ...(param ? { param } : {}), ...(code ? { code } : {}) });
  // Stripe's parameter_* codes (missing, unknown, invalid) are validation failures.
  error.validation = code?.startsWith("parameter_") ?? false;
  return error;
}

export function missingParam(param: string): StripeError {
  return parameterError(`Missing required param: ${param}.`, param, "parameter_missing");
}

/** A parameter that is missing, malformed or out of range: a validation failure (see StripeError.validation). */
export function parameterError(message: string, param?: string, code?: string): StripeError {
  const error = invalidRequest(message, param, code);
  error.validation = true;
  return error;
}

/** Stripe's answer to a parameter the endpoint does not have (`a[b]` for nested ones). */
export function unknownParameter(param: string): StripeError {
  const error = parameterError(`Received unknown parameter: ${param}`, param, "parameter_unknown");
  error.body.doc_url = "https://stripe.com/docs/error-codes/parameter-unknown";
  return error;
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
