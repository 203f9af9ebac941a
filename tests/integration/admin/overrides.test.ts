import { describe, expect, it } from "vitest";
import { db } from "@/lib/db";
import { checkUsage, claimGauge, limitations, onPlanChanged, recordUsage, settleEndedOverrides } from "@/lib/billing";
import { endOverride, setOverride } from "@/lib/admin/overrides";
import { billingOverview } from "@/lib/billing-views/overview";
import { startTrial } from "@/lib/payments";
import { ensureCatalog, newOwner } from "../../helpers/factories";

const silent = { notifier: { async send() {} } };
const DAY = 86_400_000;
const rid = () => `req_${crypto.randomUUID().replaceAll("-", "")}`;

async function workspace(label: string) {
  await ensureCatalog();
  const { user, workspace } = await newOwner(label);
  return { userId: user.id, email: user.email, workspaceId: workspace.id };
}

const quotaOf = async (workspaceId: string, feature: string, at: Date) =>
  (await db().usageWindow.findFirst({ where: { workspaceId, feature, periodStart: { lte: at }, periodEnd: { gt: at } } }))?.quota?.toFixed() ?? "none";

describe("per-workspace entitlement overrides", () => {
  it("raise the open window at once, open the next windows with their limit, and stop at their end; the plan shows them", async () => {
    const opWs = await workspace("ovr-op");
    const op = { id: opWs.userId, email: opWs.email };
    const ws = await workspace("ovr-ws"); // Free: compute 100 a week (ISO weeks), extras past it
    const t0 = new Date("2026-11-17T12:00:00.000Z"); // a Tuesday
    await recordUsage(db(), { workspaceId: ws.workspaceId, feature: "compute", units: 90, idempotencyKey: "a", now: t0 }, silent);
    await expect(recordUsage(db(), { workspaceId: ws.workspaceId, feature: "compute", units: 300, idempotencyKey: "b", now: t0 }, silent)).rejects.toMatchObject({ code: "quota_exhausted" });

    const endsAt = new Date("2026-12-01T12:00:00.000Z");
    const r = await setOverride(db(), op, { workspaceId: ws.workspaceId, feature: "compute", limit: "500", endsAt, memo: "Acme enterprise deal", requestId: "deal-1", now: t0 });
    expect(r.created).toBe(true);
    // A double submit is one override.
    expect((await setOverride(db(), op, { workspaceId: ws.workspaceId, feature: "compute", limit: "500", endsAt, memo: "Acme enterprise deal", requestId: "deal-1", now: t0 })).created).toBe(false);
    expect(await quotaOf(ws.workspaceId, "compute", t0)).toBe("500");
    expect((await recordUsage(db(), { workspaceId: ws.workspaceId, feature: "compute", units: 300, idempotencyKey: "b", now: t0 }, silent)).remaining).toBe("110");

    // The next week's window opens with the override; the one after its end with the plan's limit again.
    const nextWeek = new Date("2026-11-24T09:00:00.000Z");
    await recordUsage(db(), { workspaceId: ws.workspaceId, feature: "compute", units: 1, idempotencyKey: "c", now: nextWeek }, silent);
    expect(await quotaOf(ws.workspaceId, "compute", nextWeek)).toBe("500");
    const afterEnd = new Date("2026-12-08T09:00:00.000Z");
    await recordUsage(db(), { workspaceId: ws.workspaceId, feature: "compute", units: 1, idempotencyKey: "d", now: afterEnd }, silent);
    expect(await quotaOf(ws.workspaceId, "compute", afterEnd)).toBe("100");

    // A feature with no window yet answers with the override's limit too (check, limitations).
    await setOverride(db(), op, { workspaceId: ws.workspaceId, feature: "api_calls", limit: null, endsAt, memo: "unlimited API", requestId: rid(), now: t0 });
    const lim = await limitations(db(), ws.workspaceId, t0);
    expect(lim.entitlements.find((e) => e.feature === "api_calls")!.limit).toBeNull();
    expect((await checkUsage(db(), { workspaceId: ws.workspaceId, feature: "api_calls", units: 5000, now: t0 })).remaining).toBeNull();

    // The workspace's billing page reads its plan plus the overrides.
    const overview = await billingOverview(db(), ws.workspaceId, t0);
    expect(overview.plan.name).toBe("Free");
    expect(overview.overrides).toEqual([
      { feature: "compute", limit: "500", endsAt },
      { feature: "api_calls", limit: null, endsAt },
    ]);
    const audit = await db().auditLog.findMany({ where: { workspaceId: ws.workspaceId, action: "entitlement_override.set" }, orderBy: { seq: "asc" } });
    expect(audit.map((a) => [a.actorEmail, a.memo, a.before, (a.after as { limit: string }).limit])).toEqual([
      [op.email, "Acme enterprise deal", { feature: "compute", limit: "100", from: "plan" }, "500"],
      [op.email, "unlimited API", { feature: "api_calls", limit: "1000", from: "plan" }, "unlimited"],
    ]);
  });

  it("outlast a plan change; a lower override waits for the next window", async () => {
    const opWs = await workspace("ovr-op2");
    const op = { id: opWs.userId, email: opWs.email };
    const ws = await workspace("ovr-plan");
    const now = new Date();
    await startTrial(db(), { workspaceId: ws.workspaceId, planKey: "pro", userId: ws.userId, now }); // Pro: compute 10,000
    await recordUsage(db(), { workspaceId: ws.workspaceId, feature: "compute", units: 10, idempotencyKey: "a", now }, silent);
    await setOverride(db(), op, { workspaceId: ws.workspaceId, feature: "compute", limit: "50", endsAt: new Date(now.getTime() + 60 * DAY), memo: "cap", requestId: rid(), now });
    expect(await quotaOf(ws.workspaceId, "compute", now)).toBe("10000");
    await setOverride(db(), op, { workspaceId: ws.workspaceId, feature: "compute", limit: "90000", endsAt: new Date(now.getTime() + 60 * DAY), memo: "raise", requestId: rid(), now });
    expect(await quotaOf(ws.workspaceId, "compute", now)).toBe("90000");
    // Back to Free (the plan's 100): the override still holds.
    const free = await db().plan.findFirstOrThrow({ where: { key: "free", active: true } });
    await db().subscription.update({ where: { workspaceId: ws.workspaceId }, data: { planId: free.id, status: "free" } });
    await onPlanChanged(db(), { workspaceId: ws.workspaceId, now, lowerQuotas: true });
    expect(await quotaOf(ws.workspaceId, "compute", now)).toBe("90000");
  });

  it("of seats (a lifetime gauge) take effect at once and give way at their end, early or on time", async () => {
    const opWs = await workspace("ovr-op3");
    const op = { id: opWs.userId, email: opWs.email };
    const ws = await workspace("ovr-seats"); // Free: 1 seat, its owner's (claimed when the workspace was created)
    const now = new Date();
    const claim = (key: string) => claimGauge(db(), { workspaceId: ws.workspaceId, feature: "seats", idempotencyKey: key, now }, silent);
    await expect(claim("s2")).rejects.toMatchObject({ code: "quota_exhausted" });
    const early = await setOverride(db(), op, { workspaceId: ws.workspaceId, feature: "seats", limit: "3", endsAt: new Date(now.getTime() + 30 * DAY), memo: "pilot", requestId: rid(), now });
    expect(await quotaOf(ws.workspaceId, "seats", now)).toBe("3");
    await claim("s2");
    expect((await endOverride(db(), op, { workspaceId: ws.workspaceId, overrideId: early.override.id, now })).ended).toBe(true);
    expect((await endOverride(db(), op, { workspaceId: ws.workspaceId, overrideId: early.override.id, now })).ended).toBe(false);
    expect(await quotaOf(ws.workspaceId, "seats", now)).toBe("1");
    await expect(claim("s3")).rejects.toMatchObject({ code: "quota_exhausted" });

    // One that runs out on its own is settled by the reconcile cron's sweep.
    const short = await setOverride(db(), op, { workspaceId: ws.workspaceId, feature: "seats", limit: "5", endsAt: new Date(now.getTime() + DAY), memo: "trial seats", requestId: rid(), now });
    expect(await quotaOf(ws.workspaceId, "seats", now)).toBe("5");
    const later = new Date(now.getTime() + 2 * DAY);
    expect(await settleEndedOverrides(db(), { now: later, workspaceId: ws.workspaceId })).toEqual({ settled: 1 });
    expect(await settleEndedOverrides(db(), { now: later, workspaceId: ws.workspaceId })).toEqual({ settled: 0 });
    expect(await quotaOf(ws.workspaceId, "seats", later)).toBe("1");
    expect((await db().entitlementOverride.findUniqueOrThrow({ where: { id: short.override.id } })).settledAt).not.toBeNull();
    // Another workspace's override id is not found.
    const other = await workspace("ovr-other");
    await expect(endOverride(db(), op, { workspaceId: other.workspaceId, overrideId: short.override.id })).rejects.toMatchObject({ code: "not_found" });
    await expect(setOverride(db(), op, { workspaceId: ws.workspaceId, feature: "nope", limit: "1", endsAt: later, memo: "x", requestId: rid(), now })).rejects.toMatchObject({ code: "invalid_request" });
    await expect(setOverride(db(), op, { workspaceId: ws.workspaceId, feature: "seats", limit: "1", endsAt: now, memo: "x", requestId: rid(), now })).rejects.toMatchObject({ code: "invalid_request" });
  });
});
