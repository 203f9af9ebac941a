import { invalidRequest } from "./errors";
import type { Params } from "./form";
import type { Store } from "./store";
import type { ListObject, StripeObject } from "./types";

/** Applies `created` filters (`created=…` or `created[gt|gte|lt|lte]=…`). */
export function filterCreated<T extends { created: number }>(items: T[], p: Params, key = "created"): T[] {
  const exact = p.raw[key];
  if (typeof exact === "string") {
    const t = p.int(key);
    return items.filter((i) => i.created === t);
  }
  const range = p.obj(key);
  if (!range) return items;
  const gt = range.int("gt");
  const gte = range.int("gte");
  const lt = range.int("lt");
  const lte = range.int("lte");
  return items.filter(
    (i) =>
      (gt === undefined || i.created > gt) &&
      (gte === undefined || i.created >= gte) &&
      (lt === undefined || i.created < lt) &&
      (lte === undefined || i.created <= lte),
  );
}

/** Newest first, then a page by `limit`, `starting_after` and `ending_before`, as Stripe lists do. */
export function paginate<T extends StripeObject>(store: Store, items: T[], p: Params, url: string): ListObject<T> {
  const sorted = [...items].sort((a, b) => b.created - a.created || store.seq(b.id) - store.seq(a.id));
  const limit = p.int("limit") ?? 10;
  if (limit < 1 || limit > 100) throw invalidRequest("This value must be between 1 and 100 (it currently is " + limit + ").", "limit");
  const after = p.str("starting_after");
  const before = p.str("ending_before");
  let data: T[];
  let hasMore: boolean;
  if (after) {
    const at = sorted.findIndex((i) => i.id === after);
    if (at < 0) throw invalidRequest(`No such object: '${after}'`, "starting_after", "resource_missing");
    const rest = sorted.slice(at + 1);
    data = rest.slice(0, limit);
    hasMore = rest.length > limit;
  } else if (before) {
    const at = sorted.findIndex((i) => i.id === before);
    if (at < 0) throw invalidRequest(`No such object: '${before}'`, "ending_before", "resource_missing");
    const head = sorted.slice(0, at);
    data = head.slice(Math.max(0, head.length - limit));
    hasMore = head.length > limit;
  } else {
    data = sorted.slice(0, limit);
    hasMore = sorted.length > limit;
  }
  return { object: "list", data, has_more: hasMore, url };
}
