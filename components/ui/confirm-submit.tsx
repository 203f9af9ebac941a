"use client";

import { useRef, useState } from "react";
import {
  AlertDialog, AlertDialogAction, AlertDialogCancel, AlertDialogContent, AlertDialogDescription, AlertDialogFooter, AlertDialogTitle,
} from "./alert-dialog";
import { Button, type ButtonVariant } from "./button";

export interface Confirmation {
  title: string;
  description: React.ReactNode;
  /** The button in the dialog that goes ahead, e.g. "Yes, cancel my subscription". */
  confirmLabel: string;
  /** Money leaves or something is lost: the go-ahead button is red. */
  destructive?: boolean;
}

/**
 * A form's submit button that asks first. The dialog's go-ahead submits the button's own form, so the
 * server action still decides (and re-checks) everything; the dialog only stops a slip of the finger.
 */
export function ConfirmSubmit({ confirm, children, variant, disabled, className, "aria-label": ariaLabel }: {
  confirm: Confirmation; children: React.ReactNode; variant?: ButtonVariant; disabled?: boolean; className?: string; "aria-label"?: string;
}) {
  const [open, setOpen] = useState(false);
  const trigger = useRef<HTMLButtonElement>(null);
  return (
    <>
      <Button ref={trigger} type="button" variant={variant} disabled={disabled} className={className} aria-label={ariaLabel} aria-haspopup="dialog" onClick={() => setOpen(true)}>
        {children}
      </Button>
      <AlertDialog open={open} onOpenChange={setOpen}>
        <AlertDialogContent>
          <AlertDialogTitle>{confirm.title}</AlertDialogTitle>
          <AlertDialogDescription asChild={typeof confirm.description !== "string"}>
            {typeof confirm.description === "string" ? confirm.description : <div>{confirm.description}</div>}
          </AlertDialogDescription>
          <AlertDialogFooter>
            <AlertDialogCancel>Go back</AlertDialogCancel>
            <AlertDialogAction destructive={confirm.destructive} onClick={() => trigger.current?.form?.requestSubmit()}>
              {confirm.confirmLabel}
            </AlertDialogAction>
          </AlertDialogFooter>
        </AlertDialogContent>
      </AlertDialog>
    </>
  );
}
