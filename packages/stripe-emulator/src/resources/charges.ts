import { render } from "../expand";
import { filterCreated, paginate } from "../list";
import type { Router } from "../router";
import { mustGet } from "./util";

export function registerCharges(router: Router): void {
  router
    .get("/v1/charges/:id", ({ em, params }) => render(mustGet(em.store.charges, params.id!, "charge")))
    .get("/v1/charges", ({ em, p }) => {
      let items = [...em.store.charges.values()];
      for (const key of ["customer", "payment_intent"] as const) {
        const v = p.str(key);
        if (v) items = items.filter((c) => c[key] === v);
      }
      return render(paginate(em.store, filterCreated(items, p), p, "/v1/charges"));
    });
}
