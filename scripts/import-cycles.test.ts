import path from "node:path";
import { describe, expect, it } from "vitest";
import { cyclePath, importCycles, importGraph, runtimeSpecifiers } from "./lib/import-graph";

const root = path.resolve(import.meta.dirname, "..");
// The app's own code: a cycle here means some module can run while another it needs is still undefined.
const FOLDERS = ["lib", "app", "components", "pages"];

describe("imports", () => {
  it("form no cycle in lib/, app/, components/ and pages/", () => {
    const graph = importGraph(root, FOLDERS);
    // Guards against a walk that silently finds nothing (a wrong root or resolver) and so proves nothing.
    expect(graph.size).toBeGreaterThan(100);
    expect([...graph.values()].flat().length).toBeGreaterThan(200);
    const loops = importCycles(graph).map((component) => cyclePath(graph, component).join(" -> "));
    expect(loops, `import cycles:\n${loops.join("\n")}`).toEqual([]);
  }, 60_000); // parsing a few hundred files takes seconds on a busy machine
});

describe("the cycle finder", () => {
  it("finds every strongly connected component, self-imports included, and nothing in a tree", () => {
    const graph = new Map<string, string[]>([
      ["a", ["b"]],
      ["b", ["c"]],
      ["c", ["a", "d"]],
      ["d", ["e"]],
      ["e", []],
      ["f", ["f"]],
      ["g", ["h"]],
      ["h", ["g", "e"]],
    ]);
    expect(importCycles(graph).sort()).toEqual([["a", "b", "c"], ["f"], ["g", "h"]]);
    expect(cyclePath(graph, ["a", "b", "c"])).toEqual(["a", "b", "c", "a"]);
    expect(cyclePath(graph, ["f"])).toEqual(["f", "f"]);
    expect(importCycles(new Map([["a", ["b", "c"]], ["b", ["c"]], ["c", []]]))).toEqual([]);
  });

  it("counts what runs: imports, re-exports and import(), not type-only imports", () => {
    const text = [
      'import { a } from "./a";',
      'import "./side-effect";',
      'import type { T } from "./types";',
      'import { type U, type V } from "./types2";',
      'import { type W, x } from "./mixed";',
      'export { y } from "./y";',
      'export type { Z } from "./z";',
      'export * from "./star";',
      'const lazy = () => import("./lazy");',
    ].join("\n");
    expect(runtimeSpecifiers("f.ts", text)).toEqual(["./a", "./side-effect", "./mixed", "./y", "./star", "./lazy"]);
  });
});
