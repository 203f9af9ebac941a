import { render } from "../expand";
import { filterCreated, paginate } from "../list";
import type { Router } from "../router";
import { acceptDispute, updateDispute } from "../engine/disputes";
import { mustGet } from "./util";

/** Disputes: retrieve, list (`charge`, `payment_intent`), update (evidence, metadata), close (accept). */
export function registerDisputes(router: Router): void {
  router
    .get("/v1/disputes/:id", ({ em, params }) => render(mustGet(em.store.disputes, params.id!, "dispute")))
    .post("/v1/disputes/:id", ({ em, params, p }) => render(updateDispute(em, mustGet(em.store.disputes, params.id!, "dispute"), p)))
    .post("/v1/disputes/:id/close", ({ em, params }) => render(acceptDispute(em, mustGet(em.store.disputes, params.id!, "dispute"))))
    .get("/v1/disputes", ({ em, p }) => {
      let items = [...em.store.disputes.values()];
      for (const key of ["charge", "payment_intent"] as const) {
        const v = p.str(key);
        if (v) items = items.filter((d) => d[key] === v);
      }
      return render(paginate(em.store, filterCreated(items, p), p, "/v1/disputes"));
    });
}
