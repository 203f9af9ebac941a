import { portalConfigurationFor } from "../account";
import { render } from "../expand";
import { newId } from "../ids";
import type { Router } from "../router";
import type { PortalSession } from "../types";
import { getCustomer } from "./customers";

/** Billing portal sessions; `url` opens the emulator's portal page. */
export function registerPortal(router: Router): void {
  router.post("/v1/billing_portal/sessions", ({ em, p }) => {
    const customer = getCustomer(em, p.reqStr("customer"));
    const configuration = portalConfigurationFor(em, p.str("configuration"));
    const id = newId("bps");
    const session: PortalSession = {
      id,
      object: "billing_portal.session",
      configuration: configuration.id,
      created: em.now(customer.id),
      customer: customer.id,
      customer_account: null,
      flow: null,
      livemode: false,
      locale: p.str("locale") ?? null,
      on_behalf_of: null,
      return_url: p.str("return_url") ?? configuration.default_return_url,
      url: `${em.config.publicUrl}/portal/${id}`,
    };
    em.store.put(em.store.portalSessions, session);
    return render(session);
  });
}
