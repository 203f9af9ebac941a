import { Action, EmailLayout, Paragraph } from "../layout";
import { formatAmount, formatDate, type LifecycleData } from "../lifecycle/kinds";

// Subscription and usage emails. Each takes the facts of its notification and where its links point.

export interface LinkContext {
  workspaceName: string;
  /** Builds an absolute address of the app (APP_URL) for a path of the workspace, e.g. "billing". */
  link: (page: string) => string;
}

const dateTime = new Intl.DateTimeFormat("en-US", { dateStyle: "long", timeStyle: "short", timeZone: "UTC" });
/** The notices are stored with ISO times (the metering hot path writes them): shown as a reader's date. */
const readable = (text: string) => text.replace(/\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?Z/g, (iso) => `${dateTime.format(new Date(iso))} UTC`);

export function ThresholdEmail({ data, ctx }: { data: LifecycleData["threshold"]; ctx: LinkContext }) {
  const heading = data.items.length === 1 ? data.items[0]!.subject : `${data.items.length} usage alerts`;
  return (
    <EmailLayout preview={readable(data.items[0]?.body ?? heading)} heading={heading}>
      <Paragraph>In {ctx.workspaceName}:</Paragraph>
      {data.items.map((item, i) => <Paragraph key={i}>{readable(item.body)}</Paragraph>)}
      <Paragraph>At 100%, usage goes on from extras if the workspace has them, or is refused until the quota resets or the plan changes.</Paragraph>
      <Action href={ctx.link("usage")} label="See usage" />
    </EmailLayout>
  );
}

export function PaymentFailedEmail({ data, ctx }: { data: LifecycleData["payment_failed"]; ctx: LinkContext }) {
  return (
    <EmailLayout preview={`We could not charge ${formatAmount(data.amount)} for ${ctx.workspaceName}.`} heading="Your payment failed">
      <Paragraph>
        We could not charge {formatAmount(data.amount)} for invoice {data.invoice} of {ctx.workspaceName}
        {data.reason ? ` (${data.reason})` : ""}. Stripe tries again over the next days.
      </Paragraph>
      <Paragraph>Update your card in the billing portal to keep your plan: after 7 days, purchases are paused; after 14, the workspace moves to the Free plan.</Paragraph>
      <Action href={ctx.link("billing")} label="Update payment method" />
    </EmailLayout>
  );
}

export function PaymentActionRequiredEmail({ data, ctx }: { data: LifecycleData["payment_action_required"]; ctx: LinkContext }) {
  return (
    <EmailLayout preview={`Your bank asks you to confirm ${formatAmount(data.amount)}.`} heading="Confirm your payment">
      <Paragraph>
        Your bank asks you to confirm the payment of {formatAmount(data.amount)} for invoice {data.invoice} of {ctx.workspaceName} (3-D Secure).
      </Paragraph>
      <Action href={data.hostedUrl} label="Confirm the payment" />
      <Paragraph>
        {data.planChange ? "Your plan change applies once the payment is confirmed." : "Until it is paid, your subscription is past due."}
      </Paragraph>
    </EmailLayout>
  );
}

export function DegradedEmail({ data, ctx }: { data: LifecycleData["degraded"]; ctx: LinkContext }) {
  return (
    <EmailLayout preview="Purchases are paused until the payment goes through." heading="Your payment is overdue">
      <Paragraph>
        The payment for {ctx.workspaceName} has been failing since {formatDate(data.since)}. Your current quota keeps working, but new
        checkouts and extras purchases are paused.
      </Paragraph>
      <Paragraph>If it is still unpaid {data.unpaidAfterDays} days after the first failure, the workspace moves to the Free plan.</Paragraph>
      <Action href={ctx.link("billing")} label="Update payment method" />
    </EmailLayout>
  );
}

export function MovedToFreeEmail({ data, ctx }: { data: LifecycleData["moved_to_free"]; ctx: LinkContext }) {
  return (
    <EmailLayout preview="The subscription stayed unpaid; the Free plan's quotas apply now." heading={`${ctx.workspaceName} is on the Free plan`}>
      <Paragraph>
        The payment for {ctx.workspaceName} has been failing since {formatDate(data.since)}, so the workspace moved to the Free plan and its
        quotas apply now. Extras you bought stay yours.
      </Paragraph>
      <Paragraph>Paying the open invoice, or choosing a plan again, brings your plan back.</Paragraph>
      <Action href={ctx.link("plans")} label="Choose a plan" />
    </EmailLayout>
  );
}

export function TrialWillEndEmail({ data, ctx }: { data: LifecycleData["trial_will_end"]; ctx: LinkContext }) {
  return (
    <EmailLayout preview={`Your trial ends on ${formatDate(data.endsAt)}.`} heading={`Your ${data.planName} trial ends in 3 days`}>
      <Paragraph>The {data.planName} trial of {ctx.workspaceName} ends on {formatDate(data.endsAt)}.</Paragraph>
      <Paragraph>
        {data.hasCard
          ? "Your card on file will then be charged for the first period. Cancel before then in the billing portal if you do not want to continue."
          : data.subscribed
            ? "Add a card in the billing portal to keep your plan; without one the workspace moves to the Free plan."
            : "Subscribe before then to keep the plan; without a subscription the workspace moves to the Free plan."}
      </Paragraph>
      <Action href={ctx.link(data.subscribed ? "billing" : "plans")} label={data.hasCard ? "Review your plan" : data.subscribed ? "Add a card" : "Subscribe"} />
    </EmailLayout>
  );
}

export function TrialEndedEmail({ data, ctx }: { data: LifecycleData["trial_ended"]; ctx: LinkContext }) {
  return (
    <EmailLayout preview="The Free plan's quotas apply now." heading={`Your ${data.planName} trial has ended`}>
      <Paragraph>
        The {data.planName} trial of {ctx.workspaceName} ended on {formatDate(data.endedAt)} without a subscription, so the workspace is on the
        Free plan now, with its quotas.
      </Paragraph>
      <Action href={ctx.link("plans")} label={`Subscribe to ${data.planName}`} />
    </EmailLayout>
  );
}
