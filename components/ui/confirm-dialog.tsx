"use client";

import {
  AlertDialog, AlertDialogAction, AlertDialogCancel, AlertDialogContent, AlertDialogDescription, AlertDialogFooter, AlertDialogTitle,
} from "./alert-dialog";
import type { Confirmation } from "./confirm-submit";

/** The dialog of ConfirmSubmit, in its own module so pages load it on the first click, not up front. */
export default function ConfirmDialog({ confirm, open, onOpenChange, onConfirm }: {
  confirm: Confirmation; open: boolean; onOpenChange: (open: boolean) => void; onConfirm: () => void;
}) {
  return (
    <AlertDialog open={open} onOpenChange={onOpenChange}>
      <AlertDialogContent>
        <AlertDialogTitle>{confirm.title}</AlertDialogTitle>
        <AlertDialogDescription asChild={typeof confirm.description !== "string"}>
          {typeof confirm.description === "string" ? confirm.description : <div>{confirm.description}</div>}
        </AlertDialogDescription>
        <AlertDialogFooter>
          <AlertDialogCancel>Go back</AlertDialogCancel>
          <AlertDialogAction destructive={confirm.destructive} onClick={onConfirm}>{confirm.confirmLabel}</AlertDialogAction>
        </AlertDialogFooter>
      </AlertDialogContent>
    </AlertDialog>
  );
}
