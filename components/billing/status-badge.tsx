const labels: Record<string, string> = {
  free: "Free",
  trialing: "Trial",
  active: "Active",
  past_due: "Payment overdue",
  degraded: "Purchases blocked",
  unpaid: "Unpaid",
  canceled: "Canceled",
};

const tones: Record<string, string> = {
  free: "bg-slate-100 text-slate-700 ring-slate-300",
  trialing: "bg-brand-50 text-brand-700 ring-brand-100",
  active: "bg-green-50 text-green-800 ring-green-200",
  past_due: "bg-amber-50 text-amber-900 ring-amber-300",
  degraded: "bg-red-50 text-red-800 ring-red-200",
  unpaid: "bg-red-50 text-red-800 ring-red-200",
  canceled: "bg-slate-100 text-slate-700 ring-slate-300",
};

/** The subscription status as a word; the colour only repeats it. */
export function StatusBadge({ status }: { status: string }) {
  return (
    <span data-testid="plan-status" className={`inline-flex items-center rounded-full px-2.5 py-0.5 text-xs font-semibold ring-1 ring-inset ${tones[status] ?? tones.free}`}>
      {labels[status] ?? status}
    </span>
  );
}
