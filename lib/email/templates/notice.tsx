import { composeEmail } from "../message";
import { Action, EmailLayout, Paragraph } from "../layout";

/**
 * A plain notice: a subject, a body written as text (paragraphs separated by blank lines) and an
 * optional action. Billing notifications are stored as text and sent through this template.
 */
export function noticeEmail(input: { to: string | string[]; subject: string; body: string; action?: { label: string; url: string } }) {
  const paragraphs = input.body.split(/\n\s*\n/).map((p) => p.trim()).filter(Boolean);
  return composeEmail(
    input.to,
    input.subject,
    <EmailLayout preview={paragraphs[0] ?? input.subject} heading={input.subject}>
      {paragraphs.map((p, i) => <Paragraph key={i}>{p}</Paragraph>)}
      {input.action && <Action href={input.action.url} label={input.action.label} />}
    </EmailLayout>,
  );
}
