import type { Client } from "@/lib/billing";
import { Prisma } from "@/lib/generated/prisma/client";
import { failingDeliveries } from "@/lib/webhooks/endpoints";

export interface PlanCount {
  planKey: string;
  planName: string;
  subscriptions: number;
}

export interface ConsoleOverview {
  plans: PlanCount[];
  // Monthly recurring revenue in cents per currency, from the prices of the live paid subscriptions
  // (annual prices divided by 12), trials excluded: they have not paid.
  mrrCents: { currency: string; cents: number }[];
  byStatus: Record<string, number>;
  extras: { soldUnits: string; soldCents: number; refundedCents: number; usedUnits: string };
  failedStripeEvents: number;
  /** Outgoing webhook deliveries retrying after a failed attempt, or given up. */
  failingWebhookDeliveries: number;
  invariantViolations: { critical: number; warning: number };
}

const LIVE = ["active", "past_due", "degraded"] as const;

export async function consoleOverview(db: Client): Promise<ConsoleOverview> {
  const [plans, mrr, statuses, sold, used, failed, violations, failingWebhooks] = await Promise.all([
    db.$queryRaw<{ planKey: string; planName: string; subscriptions: bigint }[]>`
      SELECT p.key AS "planKey", min(p.name) AS "planName", count(*) AS subscriptions
      FROM "Subscription" s JOIN "Plan" p ON p.id = s."planId"
      WHERE s.status::text <> 'canceled'
      GROUP BY p.key, p."sortOrder" ORDER BY p."sortOrder", p.key`,
    db.$queryRaw<{ currency: string; cents: Prisma.Decimal }[]>`
      SELECT p.currency, sum(CASE WHEN s.interval = 'year' THEN p."annualPriceCents" / 12.0 ELSE p."monthlyPriceCents" END) AS cents
      FROM "Subscription" s JOIN "Plan" p ON p.id = s."planId"
      WHERE s.status::text IN (${Prisma.join([...LIVE])}) AND s."stripeSubscriptionId" IS NOT NULL
      GROUP BY p.currency ORDER BY p.currency`,
    db.subscription.groupBy({ by: ["status"], _count: { _all: true } }),
    db.extrasLot.aggregate({ where: { source: "topup" }, _sum: { units: true, amountCents: true, refundedCents: true } }),
    db.ledgerEntry.aggregate({ where: { kind: "debit" }, _sum: { units: true } }),
    db.stripeEvent.count({ where: { status: "failed" } }),
    db.invariantViolation.groupBy({ by: ["severity"], where: { resolvedAt: null }, _count: { _all: true } }),
    failingDeliveries(db),
  ]);
  const byStatus: Record<string, number> = {};
  for (const s of statuses) byStatus[s.status] = s._count._all;
  const open = (sev: string) => violations.find((v) => v.severity === sev)?._count._all ?? 0;
  return {
    plans: plans.map((p) => ({ planKey: p.planKey, planName: p.planName, subscriptions: Number(p.subscriptions) })),
    mrrCents: mrr.map((m) => ({ currency: m.currency, cents: Math.round(Number(m.cents)) })),
    byStatus,
    extras: {
      soldUnits: (sold._sum.units ?? new Prisma.Decimal(0)).toFixed(),
      soldCents: sold._sum.amountCents ?? 0,
      // Paid back to customers since (Stripe refunds of those purchases); sold less this is what extras kept.
      refundedCents: sold._sum.refundedCents ?? 0,
      // Debits are negative entries: units used is their negation.
      usedUnits: (used._sum.units ?? new Prisma.Decimal(0)).neg().toFixed(),
    },
    failedStripeEvents: failed,
    failingWebhookDeliveries: failingWebhooks,
    invariantViolations: { critical: open("critical"), warning: open("warning") },
  };
}
