import type { Emulator } from "../emulator";
import { invalidRequest, notFound } from "../errors";
import { render } from "../expand";
import { mergeMetadata, type Params } from "../form";
import { invoicePrefix, newId } from "../ids";
import { paginate, filterCreated } from "../list";
import type { Router } from "../router";
import type { Customer } from "../types";
import { attachPaymentMethod, resolvePaymentMethod } from "../engine/payments";
import { mustGet } from "./util";

export const CUSTOMER_KEYS = ["email", "name", "description", "metadata", "invoice_settings", "balance", "phone", "address"];

export function createCustomer(em: Emulator, input: { email?: string | null; name?: string | null; description?: string | null; metadata?: Record<string, string>; testClock?: string | null }): Customer {
  const clock = input.testClock ? mustGet(em.store.testClocks, input.testClock, "test_clock") : undefined;
  const customer: Customer = {
    id: newId("cus", 14),
    object: "customer",
    address: null,
    balance: 0,
    created: clock ? clock.frozen_time : em.realNow(),
    currency: null,
    default_source: null,
    delinquent: false,
    description: input.description ?? null,
    discount: null,
    email: input.email ?? null,
    invoice_prefix: invoicePrefix(),
    invoice_settings: { custom_fields: null, default_payment_method: null, footer: null, rendering_options: null },
    livemode: false,
    metadata: input.metadata ?? {},
    name: input.name ?? null,
    next_invoice_sequence: 1,
    phone: null,
    preferred_locales: [],
    shipping: null,
    tax_exempt: "none",
    test_clock: clock?.id ?? null,
  };
  em.store.put(em.store.customers, customer);
  em.emit("customer.created", customer);
  return customer;
}

/** `address[...]` (an empty `address` clears it). Stripe Tax locates the customer by it (see taxLocationInvalid). */
function applyAddress(customer: Customer, p: Params): void {
  if (p.raw.address === "") {
    customer.address = null;
    return;
  }
  const a = p.obj("address");
  if (!a) return;
  const current = (customer.address as Record<string, string | null> | null) ?? { city: null, country: null, line1: null, line2: null, postal_code: null, state: null };
  const next = { ...current };
  for (const k of ["city", "country", "line1", "line2", "postal_code", "state"]) {
    const v = a.nullableStr(k);
    if (v !== undefined) next[k] = v;
  }
  customer.address = next;
}

function liveCustomer(em: Emulator, id: string, param = "id"): Customer {
  const c = em.store.customers.get(id);
  if (!c || c.deleted) throw notFound(id, param);
  return c;
}

export function getCustomer(em: Emulator, id: string, param = "customer"): Customer {
  return liveCustomer(em, id, param);
}

function applyPaymentMethodParam(em: Emulator, customer: Customer, p: Params): void {
  const pmId = p.str("payment_method");
  if (pmId) {
    const pm = resolvePaymentMethod(em, pmId, em.now(customer.id));
    attachPaymentMethod(em, pm, customer.id);
  }
  const settings = p.obj("invoice_settings");
  const dpm = settings?.nullableStr("default_payment_method");
  if (dpm === undefined) return;
  if (dpm === null) {
    customer.invoice_settings.default_payment_method = null;
    return;
  }
  const pm = mustGet(em.store.paymentMethods, dpm, "invoice_settings[default_payment_method]");
  if (pm.customer !== customer.id)
    throw invalidRequest(`No such PaymentMethod: '${dpm}'; It's possible this PaymentMethod exists on one of your connected accounts, or that it is not attached to this customer.`, "invoice_settings[default_payment_method]", "resource_missing");
  customer.invoice_settings.default_payment_method = dpm;
}

/** `metadata['key']:'value'` and `email:'x'` clauses joined by AND (Stripe's search query language, the common part). */
function matchesQuery(c: Customer, query: string): boolean {
  const clauses = query.split(/\s+AND\s+/i).map((s) => s.trim()).filter(Boolean);
  return clauses.every((clause) => {
    const m = /^(metadata\[['"](.+?)['"]\]|email|name)\s*:\s*['"](.*)['"]$/.exec(clause);
    if (!m) throw invalidRequest(`The query \`${clause}\` is not supported by this server (use metadata['key']:'value', email:'…' or name:'…').`, "query");
    const value = m[3]!;
    if (m[2] !== undefined) return c.metadata[m[2]] === value;
    return m[1] === "email" ? c.email === value : c.name === value;
  });
}

export function registerCustomers(router: Router): void {
  router
    .post("/v1/customers", ({ em, p }) => {
      const pmId = p.str("payment_method");
      const customer = createCustomer(em, { email: p.str("email"), name: p.str("name"), description: p.str("description"), metadata: p.metadata(), testClock: p.str("test_clock") });
      applyAddress(customer, p);
      if (pmId || p.obj("invoice_settings")) {
        const before = structuredClone(customer);
        applyPaymentMethodParam(em, customer, p);
        em.emitChange("customer.updated", before, customer, CUSTOMER_KEYS);
      }
      return render(customer);
    })
    .get("/v1/customers/search", ({ em, p }) => {
      const query = p.reqStr("query");
      const found = [...em.store.customers.values()].filter((c) => !c.deleted && matchesQuery(c, query));
      const list = paginate(em.store, found, p, "/v1/customers/search");
      return { object: "search_result", data: list.data.map(render), has_more: list.has_more, next_page: null, url: "/v1/customers/search", total_count: found.length };
    })
    .get("/v1/customers/:id", ({ em, params }) => {
      const c = em.store.customers.get(params.id!);
      if (!c) throw notFound(params.id!);
      return c.deleted ? { id: c.id, object: "customer", deleted: true } : render(c);
    })
    .post("/v1/customers/:id", ({ em, params, p }) => {
      const customer = liveCustomer(em, params.id!);
      const before = structuredClone(customer);
      for (const key of ["email", "name", "description", "phone"] as const) {
        const v = p.nullableStr(key);
        if (v !== undefined) customer[key] = v;
      }
      const balance = p.int("balance");
      if (balance !== undefined) customer.balance = balance;
      applyAddress(customer, p);
      customer.metadata = mergeMetadata(customer.metadata, p.metadata(), p.raw.metadata);
      applyPaymentMethodParam(em, customer, p);
      em.emitChange("customer.updated", before, customer, CUSTOMER_KEYS);
      return render(customer);
    })
    .delete("/v1/customers/:id", ({ em, params }) => {
      const customer = liveCustomer(em, params.id!);
      customer.deleted = true;
      em.emit("customer.deleted", customer);
      return { id: customer.id, object: "customer", deleted: true };
    })
    .get("/v1/customers", ({ em, p }) => {
      const email = p.str("email");
      const clock = p.str("test_clock");
      let items = [...em.store.customers.values()].filter((c) => !c.deleted);
      if (email) items = items.filter((c) => c.email === email);
      if (clock) items = items.filter((c) => c.test_clock === clock);
      return render(paginate(em.store, filterCreated(items, p), p, "/v1/customers"));
    })
    .get("/v1/customers/:id/payment_methods", ({ em, params, p }) => {
      const customer = liveCustomer(em, params.id!);
      const type = p.str("type");
      const items = [...em.store.paymentMethods.values()].filter((pm) => pm.customer === customer.id && (!type || pm.type === type));
      return render(paginate(em.store, items, p, `/v1/customers/${customer.id}/payment_methods`));
    });
}
