import type { Client } from "@/lib/billing";

export interface WorkspaceRow {
  id: string;
  slug: string;
  name: string;
  createdAt: Date;
  stripeCustomerId: string | null;
  plan: string | null;
  status: string | null;
  owners: string[];
}

/**
 * Workspaces matching a search (name or slug contains it, an owner's email, a Stripe customer id, an exact
 * id), newest first by id, `limit` at a time after the `after` cursor (keyset: no OFFSET scans).
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
      id: w.id, slug: w.slug, name: w.name, createdAt: w.createdAt, stripeCustomerId: w.stripeCustomerId,
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
    db.extrasLot.findMany({ where: { workspaceId: id }, orderBy: { createdAt: "desc" }, take: 50 }),
    db.ledgerEntry.findMany({ where: { workspaceId: id }, orderBy: { seq: "desc" }, take: 25 }),
    db.invoice.findMany({ where: { workspaceId: id }, orderBy: { createdAt: "desc" }, take: 12 }),
    db.usageWindow.findMany({ where: { workspaceId: id, periodEnd: { gt: new Date() } }, orderBy: { feature: "asc" } }),
  ]);
  return { workspace, lots, ledger, invoices, windows };
}
