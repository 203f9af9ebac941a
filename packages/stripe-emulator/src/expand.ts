import type { Emulator } from "./emulator";
import { invalidRequest } from "./errors";

type Includer = (em: Emulator, owner: Record<string, unknown>) => unknown;

/** Properties absent unless expanded, per object type (e.g. a checkout session's line_items). */
const includable = new Map<string, Map<string, Includer>>();

export function registerIncludable(objectType: string, field: string, fn: Includer): void {
  const fields = includable.get(objectType) ?? new Map<string, Includer>();
  fields.set(field, fn);
  includable.set(objectType, fields);
}

/** A fresh copy of a stored object as the API answers it. */
export function render<T>(value: T): T {
  return structuredClone(value);
}

/** Applies `expand[]` paths such as `customer`, `line_items`, `data.subscription`, `latest_invoice.payment_intent`. */
export function applyExpand(em: Emulator, body: unknown, paths: string[]): unknown {
  for (const path of paths) {
    const parts = path.split(".");
    if (parts.length > 4) throw invalidRequest(`You cannot expand more than 4 levels of a property. Property: ${path}`, "expand");
    expandInto(em, body, parts, path);
  }
  return body;
}

function expandInto(em: Emulator, node: unknown, parts: string[], full: string): void {
  if (Array.isArray(node)) {
    for (const item of node) expandInto(em, item, parts, full);
    return;
  }
  if (!node || typeof node !== "object") return;
  const obj = node as Record<string, unknown>;
  const [head, ...rest] = parts as [string, ...string[]];
  let value = obj[head];
  if (value === undefined) {
    const include = includable.get(String(obj.object))?.get(head);
    if (!include) throw invalidRequest(`This property cannot be expanded (${full}).`, "expand");
    value = include(em, obj);
    obj[head] = value;
  } else if (typeof value === "string") {
    const found = em.store.lookup(value);
    if (!found) throw invalidRequest(`This property cannot be expanded (${full}).`, "expand");
    value = render(found);
    obj[head] = value;
  }
  if (rest.length > 0) expandInto(em, value, rest, full);
}
