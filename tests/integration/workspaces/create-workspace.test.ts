// Slugs are a name's base and a short random suffix; names in a script other than Latin all share the base
// "workspace", so two creations can draw the same slug: the second draws again instead of failing.
import { afterEach, describe, expect, it, vi } from "vitest";
import { db } from "@/lib/db";
import { createWorkspace } from "@/lib/workspaces/create-workspace";
import { newOwner } from "../../helpers/factories";

afterEach(() => vi.restoreAllMocks());

describe("a new workspace's slug", () => {
  it("is drawn again when the one drawn is taken", async () => {
    const { user } = await newOwner("slug");
    const same = `${crypto.randomUUID().slice(0, 6)}00-0000-4000-8000-000000000000` as `${string}-${string}-${string}-${string}-${string}`;
    // The first two slugs drawn are the same (other ids drawn meanwhile stay random).
    const real = crypto.randomUUID.bind(crypto);
    let drawn = 0;
    vi.spyOn(crypto, "randomUUID").mockImplementation(() => (new Error().stack?.includes("slugFor") && drawn++ < 2 ? same : real()));
    const first = await createWorkspace(db(), { name: "Акме", ownerId: user.id });
    const second = await createWorkspace(db(), { name: "Акме", ownerId: user.id });
    expect(first.slug).toBe(`workspace-${same.slice(0, 6)}`);
    expect(second.slug).toMatch(/^workspace-[0-9a-f]{6}$/);
    expect(second.slug).not.toBe(first.slug);
  });
});
