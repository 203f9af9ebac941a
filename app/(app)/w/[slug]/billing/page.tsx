import { CheckoutReturn } from "@/components/billing/checkout-return";
import { Card } from "@/components/ui/card";
import { db } from "@/lib/db";
import { requireWorkspacePage } from "@/lib/server/session";

export const metadata = { title: "Billing" };

export default async function BillingPage({ params, searchParams }: { params: Promise<{ slug: string }>; searchParams: Promise<{ checkout?: string; session_id?: string }> }) {
  const { slug } = await params;
  const { checkout, session_id: sessionId } = await searchParams;
  const { workspace } = await requireWorkspacePage(slug);
  const subscription = await db().subscription.findUnique({ where: { workspaceId: workspace.id }, include: { plan: true } });
  return (
    <div className="space-y-6">
      <h1 className="text-2xl font-semibold">{workspace.name}</h1>
      {checkout === "success" && sessionId && <CheckoutReturn workspaceId={workspace.id} sessionId={sessionId} />}
      <Card title="Plan">
        <p className="text-lg">
          <span data-testid="plan-name" className="font-semibold">{subscription?.plan.name ?? "No plan"}</span>
          <span className="ml-2 text-sm text-slate-600">({subscription?.status ?? "none"})</span>
        </p>
      </Card>
    </div>
  );
}
