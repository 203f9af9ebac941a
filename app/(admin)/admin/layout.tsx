import Link from "next/link";
import { LogOut } from "lucide-react";
import { AdminNav } from "@/components/admin/admin-nav";
import { BrandMark } from "@/components/ui/brand";
import { requireOperatorPage } from "@/lib/server/operator";
import { signOutAction } from "@/app/(auth)/actions";

export const metadata = { title: "Console · Tally", robots: { index: false } };

export default async function AdminLayout({ children }: { children: React.ReactNode }) {
  const operator = await requireOperatorPage();
  return (
    <div className="min-h-screen">
      <header className="border-b border-slate-200 bg-slate-900 text-white">
        <div className="mx-auto flex max-w-6xl items-center gap-3 px-4 py-3">
          <Link href="/admin" className="inline-flex shrink-0 items-center gap-2 text-lg font-bold tracking-tight"><BrandMark />Tally <span className="font-normal text-slate-300">console</span></Link>
          <span className="hidden truncate text-sm text-slate-300 sm:inline" title="Signed in as an operator">{operator.email}</span>
          <Link href="/app" className="ml-auto shrink-0 rounded-md px-2 py-1.5 text-sm text-slate-200 hover:bg-slate-800">Workspaces</Link>
          <form action={signOutAction} className="shrink-0">
            <button type="submit" className="inline-flex items-center gap-1.5 whitespace-nowrap rounded-md px-2 py-1.5 text-sm text-slate-200 hover:bg-slate-800"><LogOut aria-hidden="true" className="size-5 sm:size-4" /><span className="sr-only sm:not-sr-only">Sign out</span></button>
          </form>
        </div>
      </header>
      <div className="border-b border-slate-200 bg-white"><AdminNav /></div>
      <main id="main" className="mx-auto max-w-6xl px-4 py-6">{children}</main>
    </div>
  );
}
