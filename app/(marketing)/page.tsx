import { BookOpenCheck, Gauge, Layers } from "lucide-react";
import Image from "next/image";
import Link from "next/link";
import { ComputeUnitExplainer } from "@/components/marketing/compute-unit";
import { Faq } from "@/components/marketing/faq";
import { buttonClass } from "@/components/ui/button";

const points = [
  { icon: Gauge, title: "Quotas that hold under load", text: "Every usage event is metered exactly, in one transaction, with an idempotency key. Limits are enforced at the moment of use, never reconciled later." },
  { icon: Layers, title: "Plans, trials and extras", text: "Monthly or annual plans with a 7-day trial, weekly compute quotas, and prepaid packs that cover the peaks above them." },
  { icon: BookOpenCheck, title: "A ledger you can explain", text: "Each unit added or spent is an entry tied to its cause: a checkout, a usage event, a refund. The balance is always their sum." },
];

export default function Home() {
  return (
    <div className="space-y-20 sm:space-y-24">
      <section className="pt-12 text-center sm:pt-20">
        <h1 className="mx-auto max-w-3xl text-4xl font-bold tracking-tight sm:text-5xl">Usage-based billing you can explain, unit by unit.</h1>
        <p className="mx-auto mt-5 max-w-2xl text-lg text-slate-600">
          Plans with quotas, exact metering under any load, prepaid credit packs, and a ledger that says where every unit went.
        </p>
        <div className="mt-8 flex flex-wrap justify-center gap-3">
          <Link href="/sign-up" className={buttonClass("primary")}>Start free</Link>
          <Link href="/pricing" className={buttonClass("secondary")}>See pricing</Link>
        </div>
        <figure className="mx-auto mt-12 max-w-5xl">
          <div className="overflow-hidden rounded-xl border border-slate-200 bg-white shadow-xl shadow-slate-900/10 ring-1 ring-slate-900/5">
            <Image
              src="/dashboard.png"
              width={1280}
              height={800}
              alt="A workspace's billing page in Tally: an alert for a quota nearly used, the plan, the extras balance, and usage bars for compute and API calls against their quotas with the time of each reset, and for seats and projects held."
              priority
              unoptimized
              sizes="(min-width: 1024px) 1024px, 100vw"
              className="h-auto w-full"
            />
          </div>
          <figcaption className="mt-3 text-sm text-slate-600">The billing page of a workspace on the Free plan, as your customers see it.</figcaption>
        </figure>
      </section>

      <section aria-labelledby="why" className="space-y-8">
        <h2 id="why" className="text-center text-2xl font-bold tracking-tight">Everything between a usage event and an invoice</h2>
        <ul className="grid gap-4 md:grid-cols-3">
          {points.map(({ icon: Icon, title, text }) => (
            <li key={title} className="rounded-xl border border-slate-200 bg-white p-6 shadow-sm">
              <span className="grid size-10 place-items-center rounded-lg bg-brand-50 text-brand-700"><Icon aria-hidden="true" className="size-5" /></span>
              <h3 className="mt-4 font-semibold">{title}</h3>
              <p className="mt-2 text-sm text-slate-600">{text}</p>
            </li>
          ))}
        </ul>
      </section>

      <ComputeUnitExplainer />

      <Faq />

      <section className="rounded-2xl bg-brand-900 px-6 py-12 text-center text-white">
        <h2 className="text-2xl font-bold tracking-tight">Start on the Free plan today</h2>
        <p className="mx-auto mt-2 max-w-xl text-brand-100">No card needed. Try any paid plan free for 7 days when you need more.</p>
        <div className="mt-6 flex flex-wrap justify-center gap-3">
          <Link href="/sign-up" className={buttonClass("secondary")}>Create your workspace</Link>
          <Link href="/pricing" className="inline-flex items-center px-3.5 py-2 text-sm font-medium text-white underline underline-offset-4">Compare plans</Link>
        </div>
      </section>
    </div>
  );
}
