import type { Client } from "@/lib/billing";

export interface WorkspaceRow {
  id: string;
  slug: string;
  name: string;
  createdAt: Date;
  stripeCustomerId: string | null;
  /** The integrator's own id for the workspace (Platform API), when it has one. */
  externalId: string | null;
  plan: string | null;
  status: string | null;
  owners: string[];
}

/**
 * Workspaces matching a search (name or slug contains it, an owner's email, a Stripe customer id, the
 * integrator's externalId, an exact id), newest first by id, `limit` at a time after the `after` cursor (keyset: no OFFSET scans).
 */
export async function searchWorkspaces(db: Client, input: { q?: string; after?: string; limit?: number }) {
  const q = input.q?.trim();
  const limit = input.limit ?? 25;
  const rows = await db.workspace.findMany({
    where: {
      ...(q
        ? {
            OR: [
              { id: q },
              { slug: { contains: q.toLowerCase() } },
              { name: { contains: q, mode: "insensitive" as const } },
              { stripeCustomerId: q },
              { externalId: q },
              { memberships: { some: { user: { email: q.toLowerCase() } } } },
            ],
          }
        : {}),
      ...(input.after ? { id: { lt: input.after } } : {}),
    },
    orderBy: { id: "desc" },
    take: limit + 1,
    include: {
      subscription: { select: { status: true, plan: { select: { name: true, version: true } } } },
      memberships: { where: { role: "OWNER" }, select: { user: { select: { email: true } } }, take: 3 },
    },
  });
  const page = rows.slice(0, limit);
  return {
    rows: page.map<WorkspaceRow>((w) => ({
      id: w.id, slug: w.slug, name: w.name, createdAt: w.createdAt, stripeCustomerId: w.stripeCustomerId, externalId: w.externalId,
      plan: w.subscription ? `${w.subscription.plan.name} v${w.subscription.plan.version}` : null,
      status: w.subscription?.status ?? null,
      owners: w.memberships.map((m) => m.user.email),
    })),
    next: rows.length > limit ? page[page.length - 1]!.id : null,
  };
}

/** Everything the detail page shows about one workspace, or null. */
export async function workspaceDetail(db: Client, id: string) {
  const workspace = await db.workspace.findUnique({
    where: { id },
    include: {
      subscription: { include: { plan: { include: { entitlements: true } }, pendingPlan: true } },
      extrasAccount: true,
      memberships: { include: { user: { select: { email: true, name: true } } }, orderBy: { createdAt: "asc" } },
      apiKeys: { select: { id: true, name: true, prefix: true, createdAt: true, revokedAt: true, lastUsedAt: true }, orderBy: { createdAt: "desc" } },
    },
  });
  if (!workspace) return null;
  const [lots, ledger, invoices, windows] = await Promise.all([
    recentAndRefundableLots(db, id),
    db.ledgerEntry.findMany({ where: { workspaceId: id }, orderBy: { seq: "desc" }, take: 25 }),
    db.invoice.findMany({ where: { workspaceId: id }, orderBy: { createdAt: "desc" }, take: 12 }),
    db.usageWindow.findMany({ where: { workspaceId: id, periodEnd: { gt: new Date() } }, orderBy: { feature: "asc" } }),
  ]);
  return { workspace, lots, ledger, invoices, windows };
}

/**
 * The 50 newest lots, and every purchase that can still be refunded however old (grants and adjustments do not
 * push a purchase out of reach of the refund form), newest first.
 */
async function recentAndRefundableLots(db: Client, workspaceId: string) {
  const [recent, purchases] = await Promise.all([
    db.extrasLot.findMany({ where: { workspaceId }, orderBy: { createdAt: "desc" }, take: 50 }),
    db.extrasLot.findMany({ where: { workspaceId, source: "topup", paymentIntentId: { not: null } }, orderBy: { createdAt: "desc" }, take: 500 }),
  ]);
  const seen = new Set(recent.map((l) => l.id));
  const older = purchases.filter((l) => !seen.has(l.id) && (l.amountCents ?? 0) > l.refundedCents);
  return [...recent, ...older].sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime() || (a.id < b.id ? 1 : -1));
}
