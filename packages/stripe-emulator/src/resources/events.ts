import { invalidRequest } from "../errors";
import { render } from "../expand";
import { mergeMetadata } from "../form";
import { filterCreated, paginate } from "../list";
import type { Router } from "../router";
import type { WebhookEndpoint } from "../types";
import { mustGet } from "./util";

function withoutSecret(endpoint: WebhookEndpoint): WebhookEndpoint {
  const copy = render(endpoint);
  delete copy.secret;
  return copy;
}

/** GET /v1/events (type, types[], created filters) and webhook endpoints registered at runtime. */
export function registerEvents(router: Router): void {
  router
    .get("/v1/events/:id", ({ em, params }) => render(mustGet(em.store.events, params.id!)))
    .get("/v1/events", ({ em, p }) => {
      const type = p.str("type");
      const types = p.strings("types");
      let items = [...em.store.events.values()];
      if (type) {
        const re = new RegExp("^" + type.split("*").map((s) => s.replace(/[.+?^${}()|[\]\\]/g, "\\$&")).join(".*") + "$");
        items = items.filter((e) => re.test(e.type));
      }
      if (types.length) items = items.filter((e) => types.includes(e.type));
      return render(paginate(em.store, filterCreated(items, p), p, "/v1/events"));
    })
    .post("/v1/webhook_endpoints", ({ em, p }) => {
      const url = p.reqStr("url");
      if (!/^https?:\/\//.test(url)) throw invalidRequest("Invalid URL: must be an http(s) URL.", "url", "url_invalid");
      const enabled = p.strings("enabled_events");
      if (enabled.length === 0) throw invalidRequest("Missing required param: enabled_events.", "enabled_events", "parameter_missing");
      const { endpoint, secret } = em.addWebhookEndpoint(url, enabled, { description: p.str("description") ?? null, metadata: p.metadata() ?? {}, api_version: p.str("api_version") ?? null });
      return { ...render(endpoint), secret };
    })
    .get("/v1/webhook_endpoints/:id", ({ em, params }) => withoutSecret(mustGet(em.store.webhookEndpoints, params.id!)))
    .post("/v1/webhook_endpoints/:id", ({ em, params, p }) => {
      const endpoint = mustGet(em.store.webhookEndpoints, params.id!);
      endpoint.url = p.str("url") ?? endpoint.url;
      const enabled = p.strings("enabled_events");
      if (enabled.length) endpoint.enabled_events = enabled;
      const disabled = p.bool("disabled");
      if (disabled !== undefined) endpoint.status = disabled ? "disabled" : "enabled";
      const description = p.nullableStr("description");
      if (description !== undefined) endpoint.description = description;
      endpoint.metadata = mergeMetadata(endpoint.metadata, p.metadata(), p.raw.metadata);
      return withoutSecret(endpoint);
    })
    .delete("/v1/webhook_endpoints/:id", ({ em, params }) => {
      const endpoint = mustGet(em.store.webhookEndpoints, params.id!);
      em.removeWebhookEndpoint(endpoint.id);
      return { id: endpoint.id, object: "webhook_endpoint", deleted: true };
    })
    .get("/v1/webhook_endpoints", ({ em, p }) => {
      const list = paginate(em.store, [...em.store.webhookEndpoints.values()], p, "/v1/webhook_endpoints");
      return { ...list, data: list.data.map(withoutSecret) };
    });
}
