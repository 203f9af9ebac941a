import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";

// The layout's check is not enough: on a client-side navigation the server renders the new page without the
// layouts the client already holds, so a page that does not check renders for anyone who asks that way.
describe("the console's pages", () => {
  const root = path.resolve(import.meta.dirname, "../../app/(admin)");
  const pages = (fs.readdirSync(root, { recursive: true }) as string[]).filter((f) => path.basename(f) === "page.tsx");

  it("are found", () => {
    expect(pages.length).toBeGreaterThan(10);
  });

  it.each(pages)("%s checks the operator before anything else", (file) => {
    const source = fs.readFileSync(path.join(root, file), "utf8");
    const body = source.slice(source.indexOf("export default async function"));
    const firstStatement = body.slice(body.indexOf("{\n") + 2).trimStart().split("\n", 1)[0];
    expect(firstStatement).toBe("await requireOperatorPage();");
  });
});
