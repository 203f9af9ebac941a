import { BrandLink } from "@/components/ui/brand";
import { NotFoundState } from "@/components/ui/route-states";

export default function AppNotFound() {
  return (
    <div className="min-h-screen">
      <header className="border-b border-slate-200 bg-white"><div className="mx-auto max-w-6xl px-4 py-3"><BrandLink href="/app" /></div></header>
      <main id="main"><NotFoundState home="/app" homeLabel="Back to your workspace" /></main>
    </div>
  );
}
