import { cn } from "./cn";

/**
 * A whole-page state with the brand's look: not found, something failed, loading. `icon` is a lucide icon
 * element; `actions` are the ways on (links or buttons).
 */
export function StatusScreen({ icon, code, title, children, actions, className }: {
  icon: React.ReactNode; code?: string; title: string; children: React.ReactNode; actions?: React.ReactNode; className?: string;
}) {
  return (
    <div className={cn("mx-auto flex max-w-lg flex-col items-center px-4 py-16 text-center sm:py-24", className)}>
      <div className="mb-5 flex size-14 items-center justify-center rounded-2xl bg-brand-50 text-brand-700 ring-1 ring-brand-100 [&_svg]:size-7" aria-hidden="true">
        {icon}
      </div>
      {code && <p className="text-sm font-semibold tracking-wide text-brand-700">{code}</p>}
      <h1 className="mt-1 text-2xl font-semibold tracking-tight text-slate-900 sm:text-3xl">{title}</h1>
      <div className="mt-3 text-slate-600">{children}</div>
      {actions && <div className="mt-8 flex flex-wrap justify-center gap-3">{actions}</div>}
    </div>
  );
}
