import { describe, expect, it } from "vitest";
import { sweep } from "./sweep";

describe("a sweep over workspaces", () => {
  const ids = ["a", "b", "c", "d", "e", "f", "g"].map((workspaceId) => ({ workspaceId }));
  const read = (size: number) => async (range: { gt?: string; lte?: string }) =>
    ids.filter((r) => (range.gt === undefined || r.workspaceId > range.gt) && (range.lte === undefined || r.workspaceId <= range.lte)).slice(0, size);
  const walk = async (size: number, resumeAfter: string | null) => {
    const out: string[][] = [];
    for await (const rows of sweep(read(size), resumeAfter)) out.push(rows.map((r) => r.workspaceId));
    return out;
  };

  it("from the start, once through", async () => {
    expect(await walk(3, null)).toEqual([["a", "b", "c"], ["d", "e", "f"], ["g"]]);
  });

  it("after a cursor, to the end, then round from the start up to the cursor: each once", async () => {
    expect(await walk(3, "d")).toEqual([["e", "f", "g"], ["a", "b", "c"], ["d"]]);
    expect(await walk(10, "g")).toEqual([["a", "b", "c", "d", "e", "f", "g"]]);
  });
});
