import Link from "next/link";
import { cn } from "./cn";

/** Tally's mark: three rising bars, usage that fills up (the same drawing as public/brand-mark.svg). */
export function BrandMark({ className }: { className?: string }) {
  return (
    <svg viewBox="0 0 32 32" aria-hidden="true" className={cn("size-7 shrink-0", className)}>
      <rect width="32" height="32" rx="8" fill="#2459d6" />
      <rect x="7" y="17" width="4" height="8" rx="1.5" fill="#fff" fillOpacity=".65" />
      <rect x="14" y="12" width="4" height="13" rx="1.5" fill="#fff" fillOpacity=".85" />
      <rect x="21" y="7" width="4" height="18" rx="1.5" fill="#fff" />
    </svg>
  );
}

/** The mark and the name, linking home. */
export function BrandLink({ href = "/", className, large = false }: { href?: string; className?: string; large?: boolean }) {
  return (
    <Link href={href} className={cn("inline-flex shrink-0 items-center gap-2 font-bold tracking-tight text-slate-900", large ? "text-2xl" : "text-lg", className)}>
      <BrandMark />
      <span>Tally</span>
    </Link>
  );
}
