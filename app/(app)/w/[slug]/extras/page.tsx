import { ActionForm } from "@/components/billing/action-form";
import { Card } from "@/components/ui/card";
import { extrasBalance } from "@/lib/billing";
import { openDisputesByLot, purchasesInProgress } from "@/lib/billing-views/purchases";
import { db } from "@/lib/db";
import { formatDate as day, formatMoney } from "@/lib/format";
import { purchaseBlockReason } from "@/lib/payments";
import { requireWorkspacePage } from "@/lib/server/session";
import { can } from "@/lib/workspaces/access";
import { autoTopUpAction, buyPackAction } from "./actions";

export const metadata = { title: "Extras" };

const units = (v: { toString(): string }) => Number(v.toString()).toLocaleString("en-US", { maximumFractionDigits: 6 });
const sourceNames = { topup: "Purchase", grant: "Plan grant", adjustment: "Adjustment" } as const;

export default async function ExtrasPage({ params, searchParams }: { params: Promise<{ slug: string }>; searchParams: Promise<{ checkout?: string }> }) {
  const { slug } = await params;
  const query = await searchParams;
  const { workspace, role } = await requireWorkspacePage(slug);
  const canBill = can(role, "billing");
  const [sub, packs, account, lots, balance, inProgress, disputed] = await Promise.all([
    db().subscription.findUniqueOrThrow({ where: { workspaceId: workspace.id }, select: { status: true } }),
    db().extrasPack.findMany({ where: { active: true }, orderBy: { sortOrder: "asc" } }),
    db().extrasAccount.findUnique({ where: { workspaceId: workspace.id } }),
    db().extrasLot.findMany({ where: { workspaceId: workspace.id }, orderBy: { createdAt: "desc" }, take: 100 }),
    extrasBalance(db(), workspace.id),
    purchasesInProgress(db(), workspace.id),
    openDisputesByLot(db(), workspace.id),
  ]);
  const blocked = purchaseBlockReason(sub.status);
  const packName = new Map(packs.map((p) => [p.id, p.name]));
  const requestKey = () => `pk_${crypto.randomUUID().replaceAll("-", "")}`;
  const negative = Number(balance.balance) < 0;

  return (
    <div className="space-y-6">
      <h1 className="text-2xl font-semibold">Extras</h1>
      {query.checkout === "canceled" && <p role="status" className="rounded-md bg-slate-100 px-3 py-2 text-sm text-slate-800">Checkout was cancelled; nothing was charged.</p>}
      {blocked && <p role="alert" className="rounded-md bg-amber-50 px-3 py-2 text-sm text-amber-900">{blocked}</p>}

      <Card title="Balance">
        <p className="text-3xl font-bold" data-testid="extras-balance">{units(balance.balance)} <span className="text-base font-normal text-slate-600">compute</span></p>
        <p className="mt-1 text-sm text-slate-600">
          {negative
            ? "The balance is negative after a refund of units already spent: extras cover nothing until it is positive again, and the next pack or grant pays this debt first."
            : `Extras pay for compute beyond your plan's quota, soonest-expiring first. ${units(balance.usable)} usable now.`}
        </p>
      </Card>

      {inProgress.length > 0 && (
        <Card title="Purchases in progress">
          <ul className="divide-y divide-slate-200 text-sm" data-testid="purchases-in-progress">
            {inProgress.map((p) => (
              <li key={p.id} className="py-2" data-testid={`purchase-${p.status}`}>
                <p className="font-medium">{p.packName} ({formatMoney(p.amountCents, p.currency)}) — {p.status === "processing" ? "bank payment processing" : "bank payment failed"}</p>
                <p className={p.status === "failed" ? "text-red-800" : "text-slate-600"}>
                  {p.status === "processing"
                    ? `Paid by bank debit on ${day(p.createdAt)}. The units are added once the payment clears, usually within a few business days.`
                    : `The bank debit did not go through (${p.failureMessage ?? "declined"}) on ${day(p.updatedAt)}. No units were added; buy the pack again to try another account or a card.`}
                </p>
              </li>
            ))}
          </ul>
        </Card>
      )}

      <Card title="Buy extra compute">
        {!canBill && <p className="mb-3 text-sm text-slate-600">Only owners and admins can buy extras.</p>}
        <ul className="grid gap-4 sm:grid-cols-3">
          {packs.map((p) => (
            <li key={p.id} className="flex flex-col rounded-md border border-slate-200 p-4" data-testid={`pack-${p.key}`}>
              <p className="font-semibold">{p.name}</p>
              <p className="text-2xl font-bold">{formatMoney(p.priceCents, p.currency)}</p>
              <p className="mb-3 text-sm text-slate-600">{units(p.units)} compute, valid {p.expiresAfterDays} days from purchase. Paid once, through Stripe Checkout.</p>
              {canBill && !blocked && (
                <ActionForm action={buyPackAction} fields={{ slug, pack: p.key, requestKey: requestKey() }} label={`Buy ${p.name}`} pendingLabel="Opening checkout…" className="mt-auto" />
              )}
            </li>
          ))}
        </ul>
      </Card>

      <Card title="Lots">
        {lots.length === 0 ? (
          <p className="text-sm text-slate-600">No extras yet. Packs you buy and grants from your plan show up here with their expiry.</p>
        ) : (
          <ul className="divide-y divide-slate-200">
            {lots.map((lot) => {
              const paid = lot.amountCents ?? 0;
              return (
                <li key={lot.id} className="grid gap-3 py-3 sm:grid-cols-[1fr_auto]" data-testid="extras-lot">
                  <div className="text-sm">
                    <p className="font-medium">
                      {sourceNames[lot.source]}{lot.packId && packName.get(lot.packId) ? `: ${packName.get(lot.packId)}` : ""} —{" "}
                      {lot.remaining.isNegative()
                        ? `owes ${units(lot.remaining.neg())} (refunded or disputed after its units were spent; your next pack or grant pays this first)`
                        : `${units(lot.remaining)} of ${units(lot.units)} left`}
                    </p>
                    {disputed.has(lot.id) && (
                      <p className="text-amber-900" data-testid="lot-disputed">
                        {units(disputed.get(lot.id)!.frozenUnits)} frozen: the payment for this {lot.source === "grant" ? "plan's invoice" : "pack"} is disputed (since {day(disputed.get(lot.id)!.openedAt)}). They come back if the dispute is decided in your favour.
                      </p>
                    )}
                    <p className="text-slate-600">
                      Added {day(lot.createdAt)}; {lot.expiredAt ? `expired ${day(lot.expiredAt)}` : lot.expiresAt ? `expires ${day(lot.expiresAt)}` : "never expires"}
                      {lot.source === "topup" && paid > 0 && `; paid ${formatMoney(paid, lot.currency ?? "usd")}`}
                      {lot.refundedCents > 0 && (lot.source === "topup"
                        ? `, ${formatMoney(lot.refundedCents, lot.currency ?? "usd")} refunded`
                        : `; ${formatMoney(lot.refundedCents, lot.currency ?? "usd")} of the invoice it came with was refunded, and its units in proportion`)}
                    </p>
                  </div>
                </li>
              );
            })}
          </ul>
        )}
      </Card>

      <Card title="Auto top-up">
        <p className="mb-3 text-sm text-slate-700">
          {account?.autoTopUpEnabled
            ? `On: when a debit leaves the balance under ${units(account.autoTopUpThreshold ?? 0)}, one ${packName.get(account.autoTopUpPackId ?? "") ?? "pack"} is bought and taxed as at checkout, paid with your saved payment method (a card, Link or a bank account), at most ${account.autoTopUpMonthlyCap} a month.`
            : "Off. When on, a pack is bought whenever a debit leaves the balance under your threshold, taxed as at checkout and paid with your saved payment method (a card, Link or a bank account)."}
        </p>
        {canBill && (
          <ActionForm action={autoTopUpAction} fields={{ slug }} label="Save auto top-up" variant="secondary">
            <div className="grid gap-3 sm:grid-cols-4 sm:items-end">
              <label className="flex items-center gap-2 text-sm font-medium"><input type="checkbox" name="enabled" value="on" defaultChecked={account?.autoTopUpEnabled ?? false} /> Enabled</label>
              <label className="space-y-1 text-sm font-medium"><span className="block">Below (units)</span>
                <input name="threshold" inputMode="decimal" defaultValue={account?.autoTopUpThreshold?.toString() ?? ""} className="w-full rounded-md border border-slate-300 px-2 py-2" />
              </label>
              <label className="space-y-1 text-sm font-medium"><span className="block">Pack</span>
                <select name="pack" defaultValue={packs.find((p) => p.id === account?.autoTopUpPackId)?.key ?? packs[0]?.key} className="w-full rounded-md border border-slate-300 bg-white px-2 py-2">
                  {packs.map((p) => <option key={p.id} value={p.key}>{p.name} ({formatMoney(p.priceCents, p.currency)})</option>)}
                </select>
              </label>
              <label className="space-y-1 text-sm font-medium"><span className="block">At most per month</span>
                <input name="monthlyCap" type="number" min={0} max={100} defaultValue={account?.autoTopUpMonthlyCap ?? 1} className="w-full rounded-md border border-slate-300 px-2 py-2" />
              </label>
            </div>
          </ActionForm>
        )}
      </Card>
    </div>
  );
}
