// The document must say what the routes do: every route and method of the routing table (router.ts) is in it, and
// every error code it names is one lib/errors.ts has, under that code's own status.
import { describe, expect, it } from "vitest";
import { errorStatus } from "@/lib/errors";
import { openApiDocument } from "./openapi";
import { API_ROUTES } from "./router";

interface Doc {
  servers: { url: string }[];
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, { properties?: Record<string, { properties?: Record<string, { enum?: string[] }> }> }> };
}
interface Operation {
  requestBody?: { content: Record<string, { examples?: object; example?: unknown }> };
  responses: Record<string, { description: string; headers?: Record<string, unknown>; content?: Record<string, { schema: unknown; examples?: object; example?: unknown }> }>;
}

const doc = openApiDocument("https://billing.example.com") as unknown as Doc;
/** Every route of the API's routing table as [OpenAPI path, methods its apiEndpoint answers]. */
const routes = (): [string, string[]][] => API_ROUTES.map(([p, endpoint]) => [p, [...endpoint.methods]]);

function* operations() {
  for (const [p, ops] of Object.entries(doc.paths)) for (const [method, op] of Object.entries(ops)) yield { p, method, op };
}

describe("the OpenAPI document", () => {
  it("documents every route and method of the routing table, and nothing else", () => {
    const found = routes();
    expect(found.length).toBeGreaterThanOrEqual(6);
    for (const [route, methods] of found) {
      expect(methods.length, `${route}: no method found in its apiEndpoint`).toBeGreaterThan(0);
      expect(doc.paths[route], `${route} is missing from the document`).toBeDefined();
      for (const m of methods) expect(doc.paths[route]![m.toLowerCase()], `${m} ${route} is missing from the document`).toBeDefined();
      expect(Object.keys(doc.paths[route]!).sort()).toEqual(methods.map((m) => m.toLowerCase()).sort());
    }
    expect(Object.keys(doc.paths).sort()).toEqual(found.map(([r]) => r).sort());
  });

  it("names, for every error response, codes that lib/errors.ts maps to that very status", () => {
    for (const { p, method, op } of operations()) {
      for (const [status, r] of Object.entries(op.responses)) {
        if (Number(status) < 400) continue;
        const json = r.content?.["application/json"];
        const schema = json?.schema as { allOf?: [unknown, { properties: { error: { properties: { code: { enum: string[] } } } } }] };
        const codes = schema?.allOf?.[1].properties.error.properties.code.enum;
        expect(codes, `${method} ${p} ${status}: name its codes at the start of the description`).toBeDefined();
        for (const code of codes!) {
          expect(Object.keys(errorStatus), `${method} ${p} ${status}`).toContain(code);
          expect(errorStatus[code as keyof typeof errorStatus], `${method} ${p}: ${code} is not a ${status}`).toBe(Number(status));
          expect(Object.keys(json!.examples ?? {}), `${method} ${p} ${status}: an example of ${code}`).toContain(code);
        }
      }
    }
  });

  it("lists in the Error schema exactly the codes the responses name, each a code of lib/errors.ts", () => {
    const named = new Set<string>();
    for (const { op } of operations()) {
      for (const [status, r] of Object.entries(op.responses)) {
        const schema = r.content?.["application/json"]?.schema as { allOf?: [unknown, { properties: { error: { properties: { code: { enum: string[] } } } } }] };
        if (Number(status) >= 400) for (const c of schema.allOf![1].properties.error.properties.code.enum) named.add(c);
      }
    }
    const enumCodes = doc.components.schemas.Error!.properties!.error!.properties!.code!.enum!;
    expect([...enumCodes].sort()).toEqual([...named].sort());
    for (const c of enumCodes) expect(errorStatus).toHaveProperty(c);
  });

  it("answers 405 everywhere, 429 and 503 wherever a key is checked, with their headers", () => {
    for (const { p, method, op } of operations()) {
      expect(op.responses["405"]?.headers, `${method} ${p}`).toHaveProperty("Allow");
      if (op.responses["401"]) {
        expect(op.responses["429"]?.headers, `${method} ${p}`).toHaveProperty("Retry-After");
        expect(op.responses["503"]?.headers, `${method} ${p}`).toHaveProperty("Retry-After");
      }
    }
  });

  it("has an example for every request body and every successful JSON answer", () => {
    for (const { p, method, op } of operations()) {
      const body = op.requestBody?.content["application/json"];
      if (body) expect(body.examples ?? body.example, `${method} ${p} request`).toBeDefined();
      const ok = op.responses["200"]?.content?.["application/json"];
      if (ok && p !== "/api/v1/openapi.json") expect(ok.examples ?? ok.example, `${method} ${p} 200`).toBeDefined();
    }
  });

  it("serves APP_URL as its server", () => {
    expect(doc.servers).toEqual([{ url: "https://billing.example.com", description: expect.any(String) }]);
  });
});
