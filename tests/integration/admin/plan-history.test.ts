import { describe, expect, it } from "vitest";
import { db } from "@/lib/db";
import { endTrialNow, extendTrial, planHistory } from "@/lib/admin/subscriptions";
import { endExpiredTrials, startTrial } from "@/lib/payments";
import { ensureCatalog, newOwner } from "../../helpers/factories";

const DAY = 86_400_000;

async function workspace(label: string) {
  await ensureCatalog();
  const { user, workspace } = await newOwner(label);
  return { userId: user.id, email: user.email, workspaceId: workspace.id };
}

describe("plan-change history", () => {
  it("records a trial, its end by the cron, and why, whichever code path changed the plan", async () => {
    const ws = await workspace("hist-trial");
    await startTrial(db(), { workspaceId: ws.workspaceId, planKey: "pro", userId: ws.userId, now: new Date(Date.now() - 8 * DAY) });
    await endExpiredTrials(db(), { now: new Date() });
    const history = await planHistory(db(), ws.workspaceId);
    expect(history.map((h) => [h.from.split(" ")[0], h.to.split(" ")[0], h.reason, h.actorEmail])).toEqual([
      ["Pro", "Free", "trial_ended", null],
      ["Free", "Pro", "trial", null],
    ]);
    const audit = await db().auditLog.findMany({ where: { workspaceId: ws.workspaceId, action: "subscription.plan_changed" }, orderBy: { seq: "asc" } });
    expect(audit.map((a) => [a.actorKind, a.memo])).toEqual([["system", "trial"], ["system", "trial_ended"]]);
    expect(audit[0]!.after).toMatchObject({ status: "trialing" });
  });

  it("an operator extends a trial, then ends it: both logged with the operator, the plan change says operator", async () => {
    const op = await workspace("hist-op");
    const actor = { id: op.userId, email: op.email };
    const ws = await workspace("hist-op-ws");
    const { trialEndsAt } = await startTrial(db(), { workspaceId: ws.workspaceId, planKey: "pro", userId: ws.userId });
    const requestId = `ext_${crypto.randomUUID().replaceAll("-", "")}`;
    // The form submitted three times at once, then once more: one extension.
    const submits = await Promise.all([0, 1, 2].map(() => extendTrial(db(), actor, { workspaceId: ws.workspaceId, days: 7, requestId, memo: "evaluating" })));
    const again = await extendTrial(db(), actor, { workspaceId: ws.workspaceId, days: 7, requestId, memo: "evaluating" });
    expect(submits.filter((r) => r.created)).toHaveLength(1);
    for (const r of [...submits, again]) expect(r.trialEndsAt.getTime()).toBe(trialEndsAt.getTime() + 7 * DAY);
    await endTrialNow(db(), actor, { workspaceId: ws.workspaceId, memo: "asked to stop" });
    const sub = await db().subscription.findUniqueOrThrow({ where: { workspaceId: ws.workspaceId }, include: { plan: true } });
    expect([sub.status, sub.plan.key]).toEqual(["free", "free"]);
    const [last] = await planHistory(db(), ws.workspaceId);
    expect(last).toMatchObject({ reason: "operator", actorEmail: op.email, fromStatus: "trialing", toStatus: "free" });
    const actions = await db().auditLog.findMany({ where: { workspaceId: ws.workspaceId, actorEmail: op.email }, orderBy: { seq: "asc" } });
    expect(actions.map((a) => a.action)).toEqual(["trial.extended", "subscription.plan_changed", "trial.ended"]);
    // No trial left to extend or end.
    await expect(extendTrial(db(), actor, { workspaceId: ws.workspaceId, days: 3, requestId: "ext_late" })).rejects.toMatchObject({ code: "conflict" });
    await expect(endTrialNow(db(), actor, { workspaceId: ws.workspaceId })).rejects.toMatchObject({ code: "conflict" });
    await expect(extendTrial(db(), actor, { workspaceId: ws.workspaceId, days: 0, requestId: "ext_zero" })).rejects.toMatchObject({ code: "invalid_request" });
  });

  it("the actor set for one transaction does not leak into the next on the same connection", async () => {
    const op = await workspace("hist-leak-op");
    const a = await workspace("hist-leak-a");
    const b = await workspace("hist-leak-b");
    await startTrial(db(), { workspaceId: a.workspaceId, planKey: "pro", userId: a.userId });
    await startTrial(db(), { workspaceId: b.workspaceId, planKey: "pro", userId: b.userId, now: new Date(Date.now() - 8 * DAY) });
    await endTrialNow(db(), { id: op.userId, email: op.email }, { workspaceId: a.workspaceId });
    // Real time: only trials that have run out end (other test files' trials are left alone).
    await endExpiredTrials(db(), { now: new Date() });
    const [bLast] = await planHistory(db(), b.workspaceId);
    expect(bLast).toMatchObject({ reason: "trial_ended", actorEmail: null });
  });
});
