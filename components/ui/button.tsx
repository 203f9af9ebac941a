import { cva, type VariantProps } from "class-variance-authority";
import type { ButtonHTMLAttributes } from "react";
import { cn } from "./cn";

export const buttonVariants = cva(
  "inline-flex items-center justify-center gap-2 rounded-md text-sm font-medium whitespace-nowrap transition-colors disabled:cursor-not-allowed [&_svg]:size-4 [&_svg]:shrink-0",
  {
    variants: {
      variant: {
        primary: "bg-brand-600 text-white shadow-sm hover:bg-brand-700 disabled:bg-slate-400",
        secondary: "border border-slate-300 bg-white text-slate-900 shadow-sm hover:bg-slate-100 disabled:text-slate-500",
        danger: "border border-red-300 bg-white text-red-700 shadow-sm hover:bg-red-50 disabled:text-red-400",
        destructive: "bg-red-700 text-white shadow-sm hover:bg-red-800 disabled:bg-red-300",
        ghost: "text-slate-700 hover:bg-slate-100 disabled:text-slate-500",
        link: "px-0 text-brand-700 underline-offset-4 hover:underline",
      },
      size: { md: "px-3.5 py-2", sm: "px-2.5 py-1.5 text-xs", nav: "px-2 py-2 sm:px-3.5", icon: "size-9 p-0" },
    },
    defaultVariants: { variant: "primary", size: "md" },
  },
);

export type ButtonVariant = NonNullable<VariantProps<typeof buttonVariants>["variant"]>;
export type ButtonSize = NonNullable<VariantProps<typeof buttonVariants>["size"]>;

/** The classes of a button, for links that look like one. */
export const buttonClass = (variant: ButtonVariant = "primary", size: ButtonSize = "md") => buttonVariants({ variant, size });

export function Button({
  variant, size, className, ...props
}: ButtonHTMLAttributes<HTMLButtonElement> & VariantProps<typeof buttonVariants> & { ref?: React.Ref<HTMLButtonElement> }) {
  return <button className={cn(buttonVariants({ variant, size }), className)} {...props} />;
}
