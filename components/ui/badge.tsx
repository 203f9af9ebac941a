import { cva, type VariantProps } from "class-variance-authority";
import { cn } from "./cn";

export const badgeVariants = cva("inline-flex items-center gap-1 rounded-full px-2.5 py-0.5 text-xs font-semibold ring-1 ring-inset whitespace-nowrap [&_svg]:size-3", {
  variants: {
    tone: {
      neutral: "bg-slate-100 text-slate-700 ring-slate-300",
      brand: "bg-brand-50 text-brand-700 ring-brand-200",
      success: "bg-green-50 text-green-800 ring-green-200",
      warning: "bg-amber-50 text-amber-900 ring-amber-300",
      danger: "bg-red-50 text-red-800 ring-red-200",
    },
  },
  defaultVariants: { tone: "neutral" },
});

export type BadgeTone = NonNullable<VariantProps<typeof badgeVariants>["tone"]>;

/** A short word about a thing (a status, a role); any colour only repeats the word. */
export function Badge({ tone, className, ...props }: React.HTMLAttributes<HTMLSpanElement> & VariantProps<typeof badgeVariants>) {
  return <span className={cn(badgeVariants({ tone }), className)} {...props} />;
}
