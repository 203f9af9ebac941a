"use client";

import * as A from "radix-ui/alert-dialog";
import { buttonVariants } from "./button";
import { cn } from "./cn";
import { overlayClass, panelClass } from "./dialog";

export const AlertDialog = A.Root;
export const AlertDialogTrigger = A.Trigger;

export function AlertDialogContent({ className, ...props }: React.ComponentProps<typeof A.Content>) {
  return (
    <A.Portal>
      <A.Overlay className={overlayClass} />
      <A.Content className={cn(panelClass, className)} {...props} />
    </A.Portal>
  );
}

export function AlertDialogTitle({ className, ...props }: React.ComponentProps<typeof A.Title>) {
  return <A.Title className={cn("text-lg font-semibold tracking-tight", className)} {...props} />;
}

export function AlertDialogDescription({ className, ...props }: React.ComponentProps<typeof A.Description>) {
  return <A.Description className={cn("text-sm text-slate-700", className)} {...props} />;
}

export function AlertDialogFooter({ className, ...props }: React.ComponentProps<"div">) {
  return <div className={cn("flex flex-col-reverse gap-2 sm:flex-row sm:justify-end", className)} {...props} />;
}

export function AlertDialogCancel({ className, ...props }: React.ComponentProps<typeof A.Cancel>) {
  return <A.Cancel className={cn(buttonVariants({ variant: "secondary" }), className)} {...props} />;
}

export function AlertDialogAction({ className, destructive, ...props }: React.ComponentProps<typeof A.Action> & { destructive?: boolean }) {
  return <A.Action className={cn(buttonVariants({ variant: destructive ? "destructive" : "primary" }), className)} {...props} />;
}
