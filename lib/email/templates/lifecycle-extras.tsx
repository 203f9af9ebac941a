import { Section, Text } from "@react-email/components";
import { Action, EmailLayout, Paragraph } from "../layout";
import { formatAmount, formatDate, type LifecycleData } from "../lifecycle/kinds";
import type { LinkContext } from "./lifecycle-billing";

// Extras emails: the receipt of a pack bought in checkout, and the outcome of an automatic top-up.

const cell = { fontSize: 14, margin: "0 0 4px" } as const;

function Receipt({ rows }: { rows: [string, string][] }) {
  return (
    <Section style={{ border: "1px solid #e2e8f0", borderRadius: 6, margin: "0 0 16px", padding: "12px 16px" }}>
      {rows.map(([label, value]) => (
        <Text key={label} style={cell}>
          {label}: <strong>{value}</strong>
        </Text>
      ))}
    </Section>
  );
}

export function PackReceiptEmail({ data, ctx }: { data: LifecycleData["pack_receipt"]; ctx: LinkContext }) {
  return (
    <EmailLayout preview={`${data.units} units added to ${ctx.workspaceName}.`} heading="Thanks for your purchase">
      <Paragraph>{data.packName} was paid and its units are in the extras balance of {ctx.workspaceName}.</Paragraph>
      <Receipt rows={[["Pack", data.packName], ["Units", data.units], ["Paid", formatAmount(data.amount)], ["Date", formatDate(data.paidAt)], ["Reference", data.reference]]} />
      <Action href={ctx.link("invoices")} label="See receipts and invoices" />
    </EmailLayout>
  );
}

export function AutoTopUpSucceededEmail({ data, ctx }: { data: LifecycleData["auto_top_up_succeeded"]; ctx: LinkContext }) {
  return (
    <EmailLayout preview={`${data.units} units added automatically.`} heading="Auto top-up added extras">
      <Paragraph>The extras balance of {ctx.workspaceName} fell under your auto top-up threshold, so we bought {data.packName} with your saved payment method.</Paragraph>
      <Receipt rows={[["Pack", data.packName], ["Units", data.units], ["Paid", formatAmount(data.amount)], ["Date", formatDate(data.paidAt)]]} />
      <Action href={ctx.link("extras")} label="Auto top-up settings" />
    </EmailLayout>
  );
}

export function AutoTopUpFailedEmail({ data, ctx }: { data: LifecycleData["auto_top_up_failed"]; ctx: LinkContext }) {
  return (
    <EmailLayout preview="Nothing was charged and no units were added." heading="Auto top-up failed">
      <Paragraph>
        The extras balance of {ctx.workspaceName} fell under your auto top-up threshold, but buying {data.packName} failed
        {data.error ? `: ${data.error}` : "."} Nothing was charged and no units were added.
      </Paragraph>
      <Paragraph>Buy a pack by hand, or update your payment method so the next top-up goes through.</Paragraph>
      <Action href={ctx.link("extras")} label="Buy extras" />
    </EmailLayout>
  );
}
