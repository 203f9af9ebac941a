import type { ReactElement } from "react";
import { env } from "@/lib/env";
import { composeEmail, type EmailMessage } from "../message";
import * as billing from "../templates/lifecycle-billing";
import * as extras from "../templates/lifecycle-extras";
import { lifecycleSubject, type LifecycleData, type LifecycleKind } from "./kinds";

type Template<K extends LifecycleKind> = (props: { data: LifecycleData[K]; ctx: billing.LinkContext }) => ReactElement;

const templates: { [K in LifecycleKind]: Template<K> } = {
  threshold: billing.ThresholdEmail,
  payment_failed: billing.PaymentFailedEmail,
  payment_action_required: billing.PaymentActionRequiredEmail,
  degraded: billing.DegradedEmail,
  moved_to_free: billing.MovedToFreeEmail,
  trial_will_end: billing.TrialWillEndEmail,
  trial_ended: billing.TrialEndedEmail,
  pack_receipt: extras.PackReceiptEmail,
  auto_top_up_succeeded: extras.AutoTopUpSucceededEmail,
  auto_top_up_failed: extras.AutoTopUpFailedEmail,
};

/** The workspace pages an email links to, as absolute addresses of APP_URL. */
export const workspaceLink = (slug: string, appUrl = env().APP_URL) => (page: string) => new URL(`/w/${encodeURIComponent(slug)}/${page}`, appUrl).toString();

/** Renders one lifecycle email (HTML and text) for a workspace. */
export function renderLifecycleEmail<K extends LifecycleKind>(
  kind: K,
  data: LifecycleData[K],
  input: { to: string | string[]; workspaceName: string; slug: string; appUrl?: string },
): Promise<EmailMessage> {
  const Body = templates[kind] as Template<K>;
  const ctx = { workspaceName: input.workspaceName, link: workspaceLink(input.slug, input.appUrl) };
  return composeEmail(input.to, lifecycleSubject(kind, data, input.workspaceName), <Body data={data} ctx={ctx} />);
}
