import Link from "next/link";
import { notFound } from "next/navigation";
import { PlanEditor } from "@/components/admin/plan-editor";
import { specOf } from "@/lib/admin/plans";
import { db } from "@/lib/db";
import { planVersionAction } from "../../actions";
import { requireOperatorPage } from "@/lib/server/operator";

export const dynamic = "force-dynamic";

/** The editor opens on the plan's newest version: the next version is made from it. */
export default async function NewPlanVersionPage({ params }: { params: Promise<{ key: string }> }) {
  await requireOperatorPage();
  const { key } = await params;
  const latest = await db().plan.findFirst({ where: { key }, orderBy: { version: "desc" }, include: { entitlements: true } });
  if (!latest) notFound();
  return (
    <div className="space-y-4">
      <div>
        <Link href={`/admin/plans/${key}`} className="text-sm text-brand-700 hover:underline">← {latest.name}</Link>
        <h1 className="mt-1 text-2xl font-semibold text-slate-900">New version of {latest.name}</h1>
        <p className="text-sm text-slate-600">Starts from v{latest.version}. Review the changes, then publish v{latest.version + 1}; v{latest.version} stays as it is for the subscriptions on it.</p>
      </div>
      <PlanEditor action={planVersionAction} spec={specOf(latest)} basedOnPlanId={latest.id} version={latest.version} />
    </div>
  );
}
