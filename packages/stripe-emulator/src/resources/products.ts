import type { Emulator } from "../emulator";
import { invalidRequest } from "../errors";
import { render } from "../expand";
import { mergeMetadata } from "../form";
import { newId } from "../ids";
import { filterCreated, paginate } from "../list";
import type { Router } from "../router";
import type { Product } from "../types";
import { mustGet } from "./util";

export function createProduct(em: Emulator, input: { id?: string; name: string; description?: string | null; metadata?: Record<string, string>; active?: boolean }): Product {
  const now = em.realNow();
  const product: Product = {
    id: input.id ?? newId("prod", 14),
    object: "product",
    active: input.active ?? true,
    attributes: [],
    created: now,
    default_price: null,
    description: input.description ?? null,
    images: [],
    livemode: false,
    marketing_features: [],
    metadata: input.metadata ?? {},
    name: input.name,
    package_dimensions: null,
    shippable: null,
    statement_descriptor: null,
    tax_code: null,
    type: "service",
    unit_label: null,
    updated: now,
    url: null,
  };
  em.store.put(em.store.products, product);
  em.emit("product.created", product);
  return product;
}

export function registerProducts(router: Router): void {
  router
    .post("/v1/products", ({ em, p }) => {
      const id = p.str("id");
      if (id && em.store.products.has(id)) throw invalidRequest(`Product already exists.`, "id", "resource_already_exists");
      return render(createProduct(em, { id, name: p.reqStr("name"), description: p.str("description"), metadata: p.metadata(), active: p.bool("active") }));
    })
    .get("/v1/products/:id", ({ em, params }) => render(mustGet(em.store.products, params.id!)))
    .post("/v1/products/:id", ({ em, params, p }) => {
      const product = mustGet(em.store.products, params.id!);
      const before = structuredClone(product);
      product.name = p.str("name") ?? product.name;
      product.active = p.bool("active") ?? product.active;
      const description = p.nullableStr("description");
      if (description !== undefined) product.description = description;
      const defaultPrice = p.str("default_price");
      if (defaultPrice) product.default_price = mustGet(em.store.prices, defaultPrice, "default_price").id;
      product.metadata = mergeMetadata(product.metadata, p.metadata(), p.raw.metadata);
      product.updated = em.realNow();
      em.emitChange("product.updated", before, product, ["name", "active", "description", "metadata", "default_price"]);
      return render(product);
    })
    .get("/v1/products", ({ em, p }) => {
      const active = p.bool("active");
      const ids = p.strings("ids");
      let items = [...em.store.products.values()];
      if (active !== undefined) items = items.filter((x) => x.active === active);
      if (ids.length) items = items.filter((x) => ids.includes(x.id));
      return render(paginate(em.store, filterCreated(items, p), p, "/v1/products"));
    });
}
