import type { ReactElement } from "react";
import { render } from "@react-email/render";

/** One email, ready to send: every message has an HTML part and a plain-text part. */
export interface EmailMessage {
  to: string | string[];
  subject: string;
  html: string;
  text: string;
}

/** Renders a React Email template into the HTML and plain-text parts of one message. */
export async function composeEmail(to: string | string[], subject: string, body: ReactElement): Promise<EmailMessage> {
  const [html, text] = await Promise.all([render(body), render(body, { plainText: true })]);
  return { to, subject, html, text };
}
