import Link from "next/link";
import { buttonClass } from "@/components/ui/button";

export default function MarketingLayout({ children }: { children: React.ReactNode }) {
  return (
    <div className="min-h-screen">
      <header className="mx-auto flex max-w-6xl items-center gap-4 px-4 py-4">
        <Link href="/" className="text-xl font-bold tracking-tight text-brand-700">Tally</Link>
        <nav className="ml-auto flex items-center gap-2 text-sm">
          <Link href="/pricing" className={buttonClass("ghost")}>Pricing</Link>
          <Link href="/sign-in" className={buttonClass("ghost")}>Sign in</Link>
          <Link href="/sign-up" className={buttonClass("primary")}>Sign up</Link>
        </nav>
      </header>
      <main className="mx-auto max-w-6xl px-4 pb-16">{children}</main>
    </div>
  );
}
