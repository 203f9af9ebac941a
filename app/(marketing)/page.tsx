import Link from "next/link";
import { buttonClass } from "@/components/ui/button";

export default function Home() {
  return (
    <section className="py-16 text-center sm:py-24">
      <h1 className="mx-auto max-w-3xl text-4xl font-bold tracking-tight sm:text-5xl">Usage-based billing you can explain, unit by unit.</h1>
      <p className="mx-auto mt-5 max-w-2xl text-lg text-slate-600">
        Plans with quotas, exact metering under any load, prepaid credit packs, and a ledger that says where every unit went.
      </p>
      <div className="mt-8 flex justify-center gap-3">
        <Link href="/sign-up" className={buttonClass("primary")}>Start free</Link>
        <Link href="/pricing" className={buttonClass("secondary")}>See pricing</Link>
      </div>
    </section>
  );
}
