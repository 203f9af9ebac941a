// A real SMTP server for tests: the app sends to it through SMTP_URL (or setMailTransport) and tests read
// what arrived, then follow the links in it. Messages are kept in memory and, with `dir`, written there as
// .eml files, so another process (a Playwright worker, an HTTP test file) can read them with openMailbox.
import fs from "node:fs";
import path from "node:path";
import type { AddressInfo } from "node:net";
import { SMTPServer } from "smtp-server";
import { simpleParser, type AddressObject } from "mailparser";

export interface ReceivedMail {
  from: string;
  to: string[];
  subject: string;
  text: string;
  html: string;
  /** Every href in the HTML part, in order. */
  links: string[];
  receivedAt: Date;
}

export interface MailMatch {
  /** A recipient (compared case-insensitively). */
  to?: string;
  subject?: string | RegExp;
}

export interface MailReader {
  /** Every message so far, oldest first (optionally only those that match). */
  all(match?: MailMatch): Promise<ReceivedMail[]>;
  /** The newest matching message, waiting for one to arrive (default 15 s). */
  waitFor(match: MailMatch, opts?: { timeoutMs?: number; count?: number }): Promise<ReceivedMail>;
}

export interface MailServer extends MailReader {
  port: number;
  /** For SMTP_URL. */
  url: string;
  dir: string | null;
  stop(): Promise<void>;
}

/** Starts an SMTP server on 127.0.0.1 (a free port unless `port` is given) that accepts every message. */
export async function startMailServer(opts: { port?: number; dir?: string } = {}): Promise<MailServer> {
  const raws: { raw: Buffer; at: Date }[] = [];
  const dir = opts.dir ? path.resolve(opts.dir) : null;
  if (dir) {
    fs.rmSync(dir, { recursive: true, force: true });
    fs.mkdirSync(dir, { recursive: true });
  }
  let seq = 0;
  const server = new SMTPServer({
    authOptional: true,
    // No TLS: nodemailer would try STARTTLS against a certificate it cannot check.
    disabledCommands: ["STARTTLS"],
    logger: false,
    onAuth: (_auth, _session, cb) => cb(null, { user: "test" }),
    onData(stream, _session, cb) {
      const chunks: Buffer[] = [];
      stream.on("data", (c: Buffer) => chunks.push(c));
      stream.on("end", () => {
        const raw = Buffer.concat(chunks);
        raws.push({ raw, at: new Date() });
        if (dir) {
          // Written whole, then renamed: a reader never sees half a message.
          const name = `${Date.now()}-${String(++seq).padStart(6, "0")}-${process.pid}`;
          fs.writeFileSync(path.join(dir, `${name}.tmp`), raw);
          fs.renameSync(path.join(dir, `${name}.tmp`), path.join(dir, `${name}.eml`));
        }
        cb();
      });
    },
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(opts.port ?? 0, "127.0.0.1", () => resolve());
  });
  const port = (server.server.address() as AddressInfo).port;
  const reader = readerOf(async () => Promise.all(raws.map((r) => parse(r.raw, r.at))));
  return {
    ...reader,
    port,
    url: `smtp://127.0.0.1:${port}`,
    dir,
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** Reads the messages a mail server started with `dir` wrote there, from any process. */
export function openMailbox(dir: string): MailReader {
  return readerOf(async () => {
    const files = fs.existsSync(dir) ? fs.readdirSync(dir).filter((f) => f.endsWith(".eml")).sort() : [];
    return Promise.all(files.map(async (f) => parse(fs.readFileSync(path.join(dir, f)), fs.statSync(path.join(dir, f)).mtime)));
  });
}

/** The first link in a message whose path starts with `pathPrefix` (e.g. "/verify-email"). */
export function linkIn(mail: ReceivedMail, pathPrefix: string): string {
  const link = mail.links.find((l) => {
    try {
      return new URL(l).pathname.startsWith(pathPrefix);
    } catch {
      return false;
    }
  });
  if (!link) throw new Error(`no link to ${pathPrefix} in "${mail.subject}": ${mail.links.join(", ") || "(no links)"}`);
  return link;
}

function readerOf(load: () => Promise<ReceivedMail[]>): MailReader {
  const all = async (match?: MailMatch) => (await load()).filter((m) => !match || matches(m, match));
  return {
    all,
    async waitFor(match, opts = {}) {
      const deadline = Date.now() + (opts.timeoutMs ?? 15_000);
      const count = opts.count ?? 1;
      for (;;) {
        const found = await all(match);
        if (found.length >= count) return found[found.length - 1]!;
        if (Date.now() > deadline) {
          const seen = (await load()).map((m) => `${m.to.join(",")}: ${m.subject}`);
          throw new Error(`no email ${JSON.stringify({ ...match, subject: String(match.subject ?? "") })} (x${count}) arrived; received:\n  ${seen.join("\n  ") || "(nothing)"}`);
        }
        await new Promise((r) => setTimeout(r, 100));
      }
    },
  };
}

function matches(m: ReceivedMail, match: MailMatch): boolean {
  if (match.to && !m.to.includes(match.to.toLowerCase())) return false;
  if (typeof match.subject === "string" && m.subject !== match.subject) return false;
  if (match.subject instanceof RegExp && !match.subject.test(m.subject)) return false;
  return true;
}

const addresses = (a: AddressObject | AddressObject[] | undefined) =>
  (Array.isArray(a) ? a : a ? [a] : []).flatMap((x) => x.value.map((v) => (v.address ?? "").toLowerCase()));

async function parse(raw: Buffer, receivedAt: Date): Promise<ReceivedMail> {
  const p = await simpleParser(raw);
  const html = typeof p.html === "string" ? p.html : "";
  const links = [...html.matchAll(/href="([^"]+)"/g)].map((m) => m[1]!.replace(/&amp;/g, "&"));
  return { from: p.from?.text ?? "", to: addresses(p.to), subject: p.subject ?? "", text: p.text ?? "", html, links, receivedAt };
}
