// One free trial per verified email address, whatever happens to the workspace or the account after.
import { describe, expect, it } from "vitest";
import { db } from "@/lib/db";
import { AppError } from "@/lib/errors";
import { registerUser } from "@/lib/auth/users";
import { startTrial } from "@/lib/payments";
import { createWorkspace } from "@/lib/workspaces/create-workspace";
import { newOwner, uniqueEmail, verifyEmailOf } from "../../helpers/factories";

const refusal = (p: Promise<unknown>) => p.then(() => null, (e: unknown) => (e instanceof AppError ? `${e.code}: ${e.message}` : Promise.reject(e)));
const statusOf = async (workspaceId: string) => (await db().subscription.findUniqueOrThrow({ where: { workspaceId } })).status;

describe("trials", () => {
  it("need a verified address: refused before, nothing written; allowed after", async () => {
    const { user, workspace } = await newOwner("unverified", { verified: false });
    expect(await refusal(startTrial(db(), { workspaceId: workspace.id, planKey: "pro", userId: user.id }))).toMatch(/^email_unverified: Verify your email address/);
    expect(await statusOf(workspace.id)).toBe("free");
    expect(await db().trialClaim.count({ where: { userId: user.id } })).toBe(0);
    await verifyEmailOf(user.id);
    await startTrial(db(), { workspaceId: workspace.id, planKey: "pro", userId: user.id });
    expect(await statusOf(workspace.id)).toBe("trialing");
  });

  it("one per address: a second workspace of the same person gets none", async () => {
    const { user, workspace } = await newOwner("twice");
    await startTrial(db(), { workspaceId: workspace.id, planKey: "pro", userId: user.id });
    const second = await createWorkspace(db(), { name: "Second", ownerId: user.id });
    expect(await refusal(startTrial(db(), { workspaceId: second.id, planKey: "starter", userId: user.id }))).toMatch(/^conflict: This email address has already had a free trial/);
    expect(await statusOf(second.id)).toBe("free");
  });

  it("deleting the workspace and the account, then signing up again with the address (or a +tag of it), gives no second trial", async () => {
    const email = uniqueEmail("again");
    const first = await registerUser(db(), { email, password: "correct-horse-battery" });
    await verifyEmailOf(first.user.id);
    await startTrial(db(), { workspaceId: first.workspace.id, planKey: "pro", userId: first.user.id });
    await db().workspace.delete({ where: { id: first.workspace.id } });
    await db().user.delete({ where: { id: first.user.id } });

    for (const address of [email, email.replace("@", "+second@"), email.toUpperCase()]) {
      const again = await registerUser(db(), { email: address.toLowerCase(), password: "correct-horse-battery" });
      await verifyEmailOf(again.user.id);
      expect(await refusal(startTrial(db(), { workspaceId: again.workspace.id, planKey: "pro", userId: again.user.id }))).toMatch(/^conflict/);
      expect(await statusOf(again.workspace.id)).toBe("free");
      await db().workspace.delete({ where: { id: again.workspace.id } });
      await db().user.delete({ where: { id: again.user.id } });
    }
  });

  it("two workspaces of one person starting a trial at once: exactly one gets it", async () => {
    const { user, workspace } = await newOwner("race");
    const other = await createWorkspace(db(), { name: "Other", ownerId: user.id });
    const results = await Promise.all([workspace.id, other.id].map((workspaceId) => refusal(startTrial(db(), { workspaceId, planKey: "pro", userId: user.id }))));
    expect(results.filter((r) => r === null)).toHaveLength(1);
    expect([await statusOf(workspace.id), await statusOf(other.id)].sort()).toEqual(["free", "trialing"]);
  });
});
