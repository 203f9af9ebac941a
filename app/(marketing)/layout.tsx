import Link from "next/link";
import { BrandLink } from "@/components/ui/brand";
import { buttonClass } from "@/components/ui/button";

export default function MarketingLayout({ children }: { children: React.ReactNode }) {
  return (
    <div className="flex min-h-screen flex-col">
      <header className="mx-auto flex w-full max-w-6xl items-center gap-2 px-4 py-4">
        <BrandLink />
        <nav aria-label="Site" className="ml-auto flex items-center gap-1 text-sm sm:gap-2">
          <Link href="/pricing" className={buttonClass("ghost", "nav")}>Pricing</Link>
          <Link href="/sign-in" className={buttonClass("ghost", "nav")}>Sign in</Link>
          <Link href="/sign-up" className={buttonClass("primary", "nav")}>Sign up</Link>
        </nav>
      </header>
      <main id="main" className="mx-auto w-full max-w-6xl flex-1 px-4 pb-16">{children}</main>
      <footer className="border-t border-slate-200 bg-white">
        <div className="mx-auto flex max-w-6xl flex-wrap items-center gap-x-6 gap-y-2 px-4 py-6 text-sm text-slate-600">
          <span>© Tally</span>
          <Link href="/pricing" className="hover:text-slate-900">Pricing</Link>
          <Link href="/sign-in" className="hover:text-slate-900">Sign in</Link>
        </div>
      </footer>
    </div>
  );
}
