import { env } from "@/lib/env";
import type { EmailMessage } from "./message";

// The one place that sends mail: through SMTP_URL when it is set (nodemailer), to the console otherwise
// (development: the links in a message can be copied from the server's output).

interface Transport {
  send(message: EmailMessage & { from: string }): Promise<void>;
}

const consoleTransport: Transport = {
  async send(m) {
    console.info(`[email] to=${recipients(m.to).join(",")} subject=${JSON.stringify(m.subject)}\n${m.text}\n[email] end`);
  },
};

function smtpTransport(url: string): Transport {
  // Loaded on first use: the metering routes that may notify should not pay for nodemailer at start-up.
  const transport = import("nodemailer").then((nm) =>
    nm.default.createTransport({
      url,
      // A mail server that does not answer must not hold a sign-up or a cron run for minutes (nodemailer's
      // defaults). Transport options, so beside the URL: a second argument would only be message defaults.
      connectionTimeout: 10_000,
      greetingTimeout: 10_000,
      socketTimeout: 20_000,
    }),
  );
  return {
    async send(m) {
      await (await transport).sendMail({ from: m.from, to: m.to, subject: m.subject, text: m.text, html: m.html });
    },
  };
}

const transports = new Map<string, Transport>();
let override: { smtpUrl: string | undefined } | undefined;

function transport(): Transport {
  const url = override ? override.smtpUrl : env().SMTP_URL;
  if (!url) return consoleTransport;
  let t = transports.get(url);
  if (!t) transports.set(url, (t = smtpTransport(url)));
  return t;
}

/** Tests: send through this SMTP server instead of SMTP_URL (undefined: the console); `reset` goes back to the environment. */
export function setMailTransport(smtpUrl: string | undefined | { reset: true }) {
  override = typeof smtpUrl === "object" ? undefined : { smtpUrl };
}

const recipients = (to: string | string[]) => (Array.isArray(to) ? to : [to]).filter(Boolean);

/** Sends one message; throws when the mail server refuses it (for callers that record the failure and retry). */
export async function deliverEmail(message: EmailMessage): Promise<void> {
  if (!recipients(message.to).length) return; // nobody to tell (e.g. a workspace with no owner left)
  await transport().send({ ...message, to: recipients(message.to), from: env().EMAIL_FROM });
}

/**
 * Sends one message and never throws: a failed send is logged and answered false, so the request that
 * caused it (a sign-up, a reset request, a payment) goes on as if the mail server were there.
 */
export async function sendEmail(message: EmailMessage): Promise<boolean> {
  try {
    await deliverEmail(message);
    return true;
  } catch (e) {
    console.error(`[email] could not send ${JSON.stringify(message.subject)}:`, (e as Error)?.message ?? e);
    return false;
  }
}
