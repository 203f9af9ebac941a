import type { EmailMessage } from "./message";
import { LIFECYCLE_KINDS, type LifecycleKind } from "./lifecycle/kinds";
import { renderLifecycleEmail } from "./lifecycle/render";
import { lifecycleSamples } from "./lifecycle/samples";
import { invitationEmail } from "./templates/invitation";
import { noticeEmail } from "./templates/notice";
import { passwordChangedEmail, passwordResetEmail } from "./templates/password-reset";
import { signUpAttemptEmail } from "./templates/sign-up-attempt";
import { verifyEmailEmail } from "./templates/verify-email";

/** One template rendered with sample data, for the operator console's preview. */
export interface EmailPreview {
  key: string;
  title: string;
  /** When it is sent. */
  when: string;
  message: EmailMessage;
}

const lifecycleTitles: Record<LifecycleKind, [string, string]> = {
  threshold: ["Usage threshold", "80% or 100% of a quota is used; crossings within 15 minutes of the last notice go out together"],
  payment_failed: ["Payment failed", "a subscription invoice's payment is declined (once per invoice)"],
  payment_action_required: ["Payment needs authentication", "the bank asks for 3-D Secure on an invoice's payment (once per invoice)"],
  degraded: ["Degraded", "7 days after the first failed payment, purchases are paused"],
  moved_to_free: ["Moved to Free", "14 days after the first failed payment, the workspace is moved to Free (unpaid)"],
  trial_will_end: ["Trial ending", "3 days before a trial ends (Stripe's trial_will_end, or the trials cron)"],
  trial_ended: ["Trial ended", "a trial without a subscription ran out (the trials cron)"],
  pack_receipt: ["Pack receipt", "a pack bought in checkout is credited"],
  auto_top_up_succeeded: ["Auto top-up succeeded", "an automatic pack purchase is credited"],
  auto_top_up_failed: ["Auto top-up failed", "an automatic pack purchase is refused"],
};

/** Every email the app sends, rendered (HTML and text) with sample data and links under `appUrl`. */
export async function emailPreviews(appUrl: string): Promise<EmailPreview[]> {
  const to = "owner@example.com";
  const at = (path: string) => new URL(path, appUrl).toString();
  const ws = { to, workspaceName: "Acme", slug: "acme", appUrl };
  const lifecycle = await Promise.all(
    LIFECYCLE_KINDS.map(async (kind) => ({
      key: kind,
      title: lifecycleTitles[kind][0],
      when: lifecycleTitles[kind][1],
      message: await renderLifecycleEmail(kind, lifecycleSamples[kind], ws),
    })),
  );
  const account: EmailPreview[] = [
    { key: "verify_email", title: "Verify email", when: "after sign-up, or on request", message: await verifyEmailEmail({ to, url: at("/verify-email?token=sample") }) },
    { key: "sign_up_attempt", title: "Sign-up with a taken address", when: "someone signs up with an address that has an account", message: await signUpAttemptEmail({ to, signInUrl: at("/sign-in"), resetUrl: at("/forgot-password") }) },
    { key: "password_reset", title: "Password reset", when: "a reset is requested", message: await passwordResetEmail({ to, url: at("/reset-password?token=sample") }) },
    { key: "password_changed", title: "Password changed", when: "the password was changed", message: await passwordChangedEmail({ to, resetUrl: at("/forgot-password") }) },
    {
      key: "invitation", title: "Member invitation", when: "an owner or admin invites someone",
      message: await invitationEmail({ to, workspaceName: "Acme", inviter: "Ada Lovelace", role: "ADMIN", url: at("/invite/sample"), expiresAt: new Date("2026-12-10T00:00:00Z") }),
    },
    {
      key: "notice", title: "Other billing notice", when: "e.g. a bank debit for a pack did not go through",
      message: await noticeEmail({ to, subject: "Your bank payment for Compute 500 failed", body: "The bank debit for Compute 500 did not go through (insufficient funds). No units were added; you can buy the pack again with another account or a card." }),
    },
  ];
  return [...lifecycle, ...account];
}
