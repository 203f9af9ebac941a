import type { IncomingMessage } from "node:http";
import type { Emulator } from "./emulator";
import { StripeError, unknownParameter, unknownRoute } from "./errors";
import { applyExpand } from "./expand";
import { pinnedShape } from "./shape";
import { Params, parseForm, type FormObject } from "./form";
import { fingerprint } from "./idempotency";
import { refuseUnknownNested } from "./nested-parameters";
import { ACCEPTED_PARAMETERS } from "./parameters";
import { newId } from "./ids";
import { registerAccount } from "./resources/account";
import { registerCharges } from "./resources/charges";
import { registerCheckout } from "./resources/checkout";
import { registerCustomers } from "./resources/customers";
import { registerDisputes } from "./resources/disputes";
import { registerEvents } from "./resources/events";
import { registerInvoices } from "./resources/invoices";
import { registerPaymentIntents } from "./resources/payment-intents";
import { registerPaymentMethods } from "./resources/payment-methods";
import { registerPortal } from "./resources/portal";
import { registerPrices } from "./resources/prices";
import { registerProducts } from "./resources/products";
import { registerRefunds } from "./resources/refunds";
import { registerSubscriptionSchedules } from "./resources/subscription-schedules";
import { registerSubscriptions } from "./resources/subscriptions";
import { registerTax } from "./resources/tax";
import { registerTestClocks } from "./resources/test-clocks";
import { Router } from "./router";

export function buildRouter(): Router {
  const router = new Router();
  registerCustomers(router);
  registerProducts(router);
  registerPrices(router);
  registerPaymentMethods(router);
  registerCheckout(router);
  registerPortal(router);
  registerSubscriptions(router);
  registerSubscriptionSchedules(router);
  registerInvoices(router);
  registerPaymentIntents(router);
  registerCharges(router);
  registerRefunds(router);
  registerDisputes(router);
  registerEvents(router);
  registerTestClocks(router);
  registerTax(router);
  registerAccount(router);
  return router;
}

export interface ApiResponse {
  status: number;
  body: string;
  headers: Record<string, string>;
}

function json(status: number, body: unknown, headers: Record<string, string>): ApiResponse {
  return { status, body: JSON.stringify(body, null, 2) + "\n", headers };
}

/** The API key from `Authorization: Bearer sk_test_…` (or Basic auth with the key as user name). */
function apiKey(req: IncomingMessage): string | null {
  const header = req.headers.authorization ?? "";
  const bearer = /^Bearer\s+(\S+)$/i.exec(header);
  if (bearer) return bearer[1]!;
  const basic = /^Basic\s+(\S+)$/i.exec(header);
  if (basic) return Buffer.from(basic[1]!, "base64").toString("utf8").split(":")[0] ?? null;
  return null;
}

/** Answers one /v1 request: auth, form parsing, Idempotency-Key replay, routing, expand[]. */
export function handleApi(em: Emulator, router: Router, req: IncomingMessage, rawBody: string): ApiResponse {
  const url = new URL(req.url ?? "/", "http://emulator.local");
  const method = (req.method ?? "GET").toUpperCase();
  const requestId = newId("req", 14);
  const headers: Record<string, string> = { "request-id": requestId, "stripe-version": String(req.headers["stripe-version"] ?? "") };

  const key = apiKey(req);
  if (!key)
    return json(401, new StripeError(401, { type: "invalid_request_error", message: "You did not provide an API key. You need to provide your API key in the Authorization header, using Bearer auth (e.g. 'Authorization: Bearer YOUR_SECRET_KEY'). See https://stripe.com/docs/api#authentication for details, or we can help at https://support.stripe.com/." }).toJSON(), headers);
  if (!/^(sk|rk)_test_/.test(key))
    return json(401, new StripeError(401, { type: "invalid_request_error", code: "api_key_invalid", message: `Invalid API Key provided: ${key.slice(0, 8)}${"*".repeat(Math.max(0, key.length - 12))}${key.slice(-4)}` }).toJSON(), headers);

  const query = parseForm(url.search.slice(1));
  const body: FormObject = method === "POST" ? parseForm(rawBody) : {};
  const params: FormObject = { ...query, ...body };
  const idempotencyKey = method === "POST" ? (req.headers["idempotency-key"] as string | undefined) ?? null : null;
  const path = url.pathname.replace(/\/+$/, "");

  if (idempotencyKey) {
    headers["idempotency-key"] = idempotencyKey;
    const saved = em.idempotency.get(idempotencyKey);
    if (saved) {
      if (saved.method !== method || saved.path !== path || saved.fingerprint !== fingerprint(params)) {
        return json(400, new StripeError(400, { type: "idempotency_error", message: `Keys for idempotent requests can only be used with the same parameters they were first used with. Try using a key other than '${idempotencyKey}' if you meant to execute a different request.` }).toJSON(), headers);
      }
      return { status: saved.status, body: saved.body, headers: { ...headers, "idempotent-replayed": "true", "original-request": saved.originalRequest } };
    }
  }

  const match = router.match(method, path);
  let response: ApiResponse;
  let validationFailed = false;
  if (!match) {
    response = json(404, unknownRoute(method, url.pathname).toJSON(), headers);
  } else {
    const p = new Params(params);
    em.request = { id: requestId, idempotency_key: idempotencyKey };
    try {
      refuseUnknownParameters(match.route, params);
      const result = match.handler({ em, method, path, params: match.params, p });
      response = json(200, pinnedShape(structuredClone(applyExpand(em, result, p.strings("expand")))), headers);
    } catch (err) {
      if (err instanceof StripeError) {
        response = json(err.status, err.toJSON(), headers);
        validationFailed = err.validation;
      }
      else {
        em.config.log(`stripe emulator: ${method} ${path} failed: ${err instanceof Error ? err.stack : String(err)}`);
        response = json(500, { error: { type: "api_error", message: `An unexpected error occurred in the emulator: ${err instanceof Error ? err.message : String(err)}` } }, headers);
      }
    } finally {
      em.request = { id: null, idempotency_key: null };
      em.flushLater();
    }
  }
  // Stripe saves the result once the endpoint started, errors included (a replay answers the same error); a request
  // whose parameters failed validation, or that reached no endpoint, saves nothing.
  if (idempotencyKey && match && !validationFailed) {
    em.idempotency.save(idempotencyKey, { method, path, fingerprint: fingerprint(params), status: response.status, body: response.body, originalRequest: requestId });
  }
  return response;
}

/** Stripe refuses, before anything runs, a parameter the endpoint does not have, at the top level or nested. */
function refuseUnknownParameters(route: string, params: FormObject): void {
  const accepted = ACCEPTED_PARAMETERS[route];
  if (!accepted) throw new Error(`${route} has no list of accepted parameters (parameters.ts)`);
  const unknown = Object.keys(params).find((k) => !accepted.includes(k));
  if (unknown !== undefined) throw unknownParameter(unknown);
  refuseUnknownNested(route, params);
}
