import { AppError } from "@/lib/errors";
import type { Client } from "@/lib/db";
import { spendableLots, usableExtras } from "./extras-ledger";
import { overridesInForce } from "./overrides";
import { windowBounds } from "./periods";
import { ZERO, formatUnits, toDec } from "./units";
import { remainingOf } from "./quota-rule";
import { resetsAtOf } from "./usage-state";

export interface EntitlementUsage {
  feature: string;
  kind: "meter" | "gauge";
  period: "day" | "week" | "month" | "billing_period" | "lifetime";
  overflow: "block" | "extras" | "soft";
  /** The current window's quota (a snapshot; may differ from the plan's for grandfathered windows); null = unlimited. */
  limit: string | null;
  used: string;
  remaining: string | null;
  resetsAt: string | null;
}

export interface Limitations {
  workspaceId: string;
  plan: { id: string; key: string; version: number; name: string };
  status: string;
  trialEndsAt: string | null;
  currentPeriodEnd: string | null;
  entitlements: EntitlementUsage[];
  extras: { balance: string; usable: string; expiringSoon: { lotId: string; remaining: string; expiresAt: string }[] };
}

const SOON_MS = 30 * 86_400_000;

/** The workspace's plan, status, every entitlement with its current window's numbers, and its extras. */
export async function limitations(db: Client, workspaceId: string, now = new Date()): Promise<Limitations> {
  const sub = await db.subscription.findUnique({ where: { workspaceId }, include: { plan: { include: { entitlements: true } } } });
  if (!sub) throw new AppError("not_found", "Workspace not found.", { workspaceId });
  const [windows, account, lots] = await Promise.all([
    db.usageWindow.findMany({ where: { workspaceId, periodStart: { lte: now }, periodEnd: { gt: now } } }),
    db.extrasAccount.findUnique({ where: { workspaceId }, select: { balance: true } }),
    spendableLots(db, workspaceId, now),
  ]);
  // A feature with no window yet shows what its next window opens with: an override in force, else the plan's limit.
  const overrides = sub.plan.entitlements.every((e) => windows.some((w) => w.feature === e.feature)) ? new Map() : await overridesInForce(db, workspaceId, now);
  const entitlements = [...sub.plan.entitlements]
    .sort((a, b) => a.feature.localeCompare(b.feature))
    .map((e): EntitlementUsage => {
      const w = windows.find((x) => x.feature === e.feature);
      const limit = overrides.has(e.feature) ? overrides.get(e.feature)!.limit : e.limit;
      const quota = w ? (w.quota === null ? null : toDec(w.quota)) : limit === null ? null : toDec(limit);
      const used = w ? toDec(w.used) : ZERO;
      const remaining = remainingOf(quota, used);
      return {
        feature: e.feature,
        kind: e.kind,
        period: e.period,
        overflow: w?.overflow ?? e.overflow,
        limit: quota === null ? null : formatUnits(quota),
        used: formatUnits(used),
        remaining: remaining === null ? null : formatUnits(remaining),
        resetsAt: resetsAtOf(w ? w.periodEnd : windowBounds(e.period, now, sub).end),
      };
    });
  const balance = account ? toDec(account.balance) : ZERO;
  return {
    workspaceId,
    plan: { id: sub.plan.id, key: sub.plan.key, version: sub.plan.version, name: sub.plan.name },
    status: sub.status,
    trialEndsAt: sub.trialEndsAt?.toISOString() ?? null,
    currentPeriodEnd: sub.currentPeriodEnd?.toISOString() ?? null,
    entitlements,
    extras: {
      balance: formatUnits(balance),
      usable: formatUnits(usableExtras(balance, lots)),
      expiringSoon: lots
        .filter((l) => l.expiresAt && l.expiresAt.getTime() - now.getTime() < SOON_MS)
        .map((l) => ({ lotId: l.id, remaining: formatUnits(l.remaining), expiresAt: l.expiresAt!.toISOString() })),
    },
  };
}
