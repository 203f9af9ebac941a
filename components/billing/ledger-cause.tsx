import Link from "next/link";

interface Cause {
  causeType: string;
  causeId: string;
  memo: string | null;
}

const short = (id: string) => (id.length > 14 ? `${id.slice(0, 6)}…${id.slice(-6)}` : id);

/** What moved the units, in words, linked to the page that explains it. */
export function LedgerCause({ entry, slug }: { entry: Cause; slug: string }) {
  const link = "text-brand-700 underline underline-offset-2";
  switch (entry.causeType) {
    case "usage_event":
      return <Link className={link} href={`/w/${slug}/usage?event=${encodeURIComponent(entry.causeId)}`}>Usage event {short(entry.causeId)}</Link>;
    case "checkout_session":
    case "payment_intent":
      return <Link className={link} href={`/w/${slug}/extras`} title={entry.causeId}>Extras purchase {short(entry.causeId)}</Link>;
    case "refund":
      return <Link className={link} href={`/w/${slug}/extras`} title={entry.causeId}>Refund {short(entry.causeId)}</Link>;
    case "failed_refund":
      return <Link className={link} href={`/w/${slug}/extras`} title={entry.causeId}>Failed refund {short(entry.causeId)}{entry.memo ? `: ${entry.memo}` : ""}</Link>;
    case "dispute":
    case "dispute_won":
    case "dispute_lost":
      return <Link className={link} href={`/w/${slug}/extras`} title={entry.causeId}>Payment dispute {short(entry.causeId)}{entry.memo ? `: ${entry.memo}` : ""}</Link>;
    case "invoice":
      return <Link className={link} href={`/w/${slug}/invoices`} title={entry.causeId}>Plan grant, invoice {short(entry.causeId)}</Link>;
    case "expiry":
    case "cron_run":
      return <span title={entry.causeId}>Expired by the daily expiry run</span>;
    case "operator":
      return <span title={entry.causeId}>Adjustment by Tally support{entry.memo ? `: ${entry.memo}` : ""}</span>;
    default:
      return <span>{entry.causeType} {short(entry.causeId)}</span>;
  }
}
