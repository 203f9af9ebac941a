import { cn } from "./cn";

/**
 * A table that never scrolls sideways: from `sm` up it is an ordinary table; on narrow screens each row
 * stacks into a card whose cells carry their column's name (`label`, shown through CSS in globals.css).
 */
export function Table({ className, caption, children }: { className?: string; caption?: string; children: React.ReactNode }) {
  return (
    <div className="overflow-hidden rounded-xl border border-slate-200 bg-white shadow-sm">
      <table className={cn("table-stack w-full text-left text-sm", className)}>
        {caption && <caption className="sr-only">{caption}</caption>}
        {children}
      </table>
    </div>
  );
}

export function THead({ children }: { children: React.ReactNode }) {
  return <thead className="border-b border-slate-200 bg-slate-50 text-xs font-medium tracking-wide text-slate-600 uppercase">{children}</thead>;
}

export function TBody({ children }: { children: React.ReactNode }) {
  return <tbody className="divide-y divide-slate-100">{children}</tbody>;
}

export function Tr({ className, ...props }: React.ComponentProps<"tr">) {
  return <tr className={cn("align-top", className)} {...props} />;
}

export function Th({ className, ...props }: React.ComponentProps<"th">) {
  return <th scope="col" className={cn("px-4 py-2.5 font-medium", className)} {...props} />;
}

/** A cell; `label` is its column's name, shown beside the value when the row is stacked. */
export function Td({ label, className, ...props }: React.ComponentProps<"td"> & { label?: string }) {
  return <td data-label={label} className={cn("px-4 py-2.5", className)} {...props} />;
}
