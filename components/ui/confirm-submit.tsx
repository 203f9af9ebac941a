"use client";

import dynamic from "next/dynamic";
import { useRef, useState } from "react";
import { Button, type ButtonVariant } from "./button";

export interface Confirmation {
  title: string;
  description: React.ReactNode;
  /** The button in the dialog that goes ahead, e.g. "Yes, cancel my subscription". */
  confirmLabel: string;
  /** Money leaves or something is lost: the go-ahead button is red. */
  destructive?: boolean;
}

const ConfirmDialog = dynamic(() => import("./confirm-dialog"), { ssr: false });

/**
 * A form's submit button that asks first. The dialog's go-ahead submits the button's own form, so the
 * server action still decides (and re-checks) everything; the dialog only stops a slip of the finger.
 */
export function ConfirmSubmit({ confirm, children, variant, disabled, className, "aria-label": ariaLabel }: {
  confirm: Confirmation; children: React.ReactNode; variant?: ButtonVariant; disabled?: boolean; className?: string; "aria-label"?: string;
}) {
  const [open, setOpen] = useState(false);
  // The dialog's code is fetched when the pointer or focus comes near the button, and at the latest on the click.
  const [wanted, setWanted] = useState(false);
  const trigger = useRef<HTMLButtonElement>(null);
  return (
    <>
      <Button
        ref={trigger}
        type="button"
        variant={variant}
        disabled={disabled}
        className={className}
        aria-label={ariaLabel}
        aria-haspopup="dialog"
        onPointerEnter={() => setWanted(true)}
        onFocus={() => setWanted(true)}
        onClick={() => {
          setWanted(true);
          setOpen(true);
        }}
      >
        {children}
      </Button>
      {wanted && <ConfirmDialog confirm={confirm} open={open} onOpenChange={setOpen} onConfirm={() => trigger.current?.form?.requestSubmit()} />}
    </>
  );
}
