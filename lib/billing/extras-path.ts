import { Prisma } from "@/lib/generated/prisma/client";
import { inTransaction, type Client } from "@/lib/db";
import { appendEntries, lockExtrasAccount, planDebit, spendableLots, type LockedAccount } from "./extras-ledger";
import { decideQuota, remainingOf } from "./quota-rule";
import { insertThresholdMarks } from "./thresholds";
import { ZERO, formatUnits, toDec } from "./units";
import { refusal, resetsAtOf, type UsageAnswer } from "./usage-state";
import type { UsageRequest } from "./metering-statement";
import { activeWindow } from "./windows";

export interface SlowResult {
  answer: UsageAnswer;
  notificationIds: string[];
  debited: boolean;
  account: LockedAccount;
}

/**
 * Past the quota of an extras window: one short transaction locks the window, then the extras account
 * (the ledger's lock order), splits the units between what is left of the quota and the lots
 * (soonest-expiring first, one debit entry per lot), and writes the event, entries and marks together.
 */
export async function extrasPath(db: Client, req: UsageRequest<string>): Promise<SlowResult | "retry" | "replay"> {
  const units = req.delta;
  return inTransaction(db, async (tx) => {
    // A backdated event counts in the window holding its time; the lots, entries and marks are as of now.
    const at = req.at ?? req.now;
    const w = await activeWindow(tx, req.workspaceId, req.feature, at, true);
    if (!w || w.kind !== "meter" || w.overflow !== "extras" || w.quota === null) return "retry";
    const dup = await tx.usageEvent.findUnique({
      where: { workspaceId_idempotencyKey: { workspaceId: req.workspaceId, idempotencyKey: req.idempotencyKey } },
      select: { id: true },
    });
    if (dup) return "replay";
    const window = { kind: w.kind, quota: toDec(w.quota), used: toDec(w.used), overflow: w.overflow };
    const account = await lockExtrasAccount(tx, req.workspaceId);
    // The lots are read (after the account: the ledger's lock order) only when the units pass the quota.
    const lots = units.gt(remainingOf(window.quota, window.used)!) ? await spendableLots(tx, req.workspaceId, req.now) : [];
    const spendable = lots.reduce((sum, l) => sum.plus(l.remaining), ZERO);
    const decision = decideQuota(window, { balance: account.balance, spendable }, units);
    if (decision.outcome === "refused") throw refusal(req.feature, units, decision.remaining, account.balance, w.periodEnd);
    const { quotaPart, extrasPart } = decision;
    const eventId = crypto.randomUUID();
    const drafts = extrasPart.gt(0) ? planDebit(lots, extrasPart, "debit", "usage_event", eventId) : [];
    if (quotaPart.gt(0)) {
      await tx.$executeRaw`UPDATE "UsageWindow" SET used = used + ${quotaPart.toFixed()}::numeric WHERE id = ${w.id}`;
    }
    const resetsAt = resetsAtOf(w.periodEnd);
    const answer: UsageAnswer = {
      allowed: true,
      feature: req.feature,
      units: formatUnits(units),
      remaining: formatUnits(remainingOf(window.quota, window.used.plus(quotaPart))!),
      extrasRemaining: formatUnits(account.balance.minus(extrasPart)),
      resetsAt,
    };
    await tx.usageEvent.create({
      data: {
        id: eventId,
        workspaceId: req.workspaceId,
        feature: req.feature,
        windowId: w.id,
        units: units.toFixed(),
        quotaUnits: quotaPart.toFixed(),
        extrasUnits: extrasPart.toFixed(),
        idempotencyKey: req.idempotencyKey,
        requestHash: req.requestHash,
        response: answer as unknown as Prisma.InputJsonObject,
        metadata: req.metadataJson === null ? Prisma.DbNull : (JSON.parse(req.metadataJson) as Prisma.InputJsonValue),
        ...costColumns(req.costJson),
        createdAt: at,
        recordedAt: at < req.now ? req.now : null,
      },
    });
    await appendEntries(tx, account, drafts, req.now);
    const notificationIds = await insertThresholdMarks(tx, {
      workspaceId: req.workspaceId,
      windowId: w.id,
      feature: req.feature,
      before: window.used,
      after: window.used.plus(quotaPart),
      quota: window.quota,
      periodEnd: w.periodEnd,
      now: req.now,
    });
    return { answer, notificationIds, debited: drafts.length > 0, account };
  });
}

/** The event's cost columns from the priced costs' JSON (nothing for usage sent as units). */
function costColumns(costJson: string | null | undefined): { costDollars?: string; costTokens?: Prisma.InputJsonValue } {
  if (!costJson) return {};
  const cost = JSON.parse(costJson) as { dollars: string; tokens: Prisma.InputJsonValue };
  return { costDollars: cost.dollars, costTokens: cost.tokens };
}
