import fs from "node:fs";
import { describe, expect, it } from "vitest";
import { SCHEMA_FILE, generateClientTypes } from "./client-generate";

describe("the typed client", () => {
  it("was generated from the OpenAPI document as it is now (run `npm run client:generate` after changing a route)", async () => {
    const committed = fs.readFileSync(SCHEMA_FILE, "utf8");
    expect(committed === (await generateClientTypes()), "packages/client/src/schema.ts differs from the document: run npm run client:generate").toBe(true);
  });
});
