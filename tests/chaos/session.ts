// A signed-in browser, as far as the server can tell: Auth.js's credentials sign-in over HTTP, its
// cookies replayed, and server actions posted by id with the Next-Action header the way React does.
import fs from "node:fs";
import path from "node:path";
import type { Reply } from "../http/client";
import { createClient } from "../http/client";

export interface Session {
  baseUrl: string;
  cookie: string;
  request(p: string, opts?: { method?: string; headers?: Record<string, string>; raw?: string | Buffer; noCookie?: boolean }): Promise<Reply>;
  close(): void;
}

function cookiesOf(reply: Reply): string[] {
  const set = reply.headers["set-cookie"] ?? [];
  return set.map((c) => c.split(";")[0]!).filter((c) => !c.endsWith("="));
}

export async function signIn(baseUrl: string, email: string, password: string): Promise<Session> {
  const http = createClient(baseUrl, 8);
  const csrf = await http.request("/api/auth/csrf");
  const jar = new Map<string, string>();
  const keep = (r: Reply) => cookiesOf(r).forEach((c) => jar.set(c.slice(0, c.indexOf("=")), c));
  keep(csrf);
  const cookieHeader = () => [...jar.values()].join("; ");
  const form = new URLSearchParams({ csrfToken: csrf.json.csrfToken, email, password, callbackUrl: `${baseUrl}/app` });
  const r = await http.request("/api/auth/callback/credentials", {
    raw: form.toString(),
    headers: { "content-type": "application/x-www-form-urlencoded", cookie: cookieHeader(), origin: baseUrl },
  });
  keep(r);
  if (![...jar.keys()].some((k) => k.endsWith("authjs.session-token"))) throw new Error(`sign-in failed: ${r.status} ${r.text.slice(0, 200)}`);
  const cookie = cookieHeader();
  return {
    baseUrl,
    cookie,
    request: (p, opts = {}) => http.request(p, { method: opts.method, raw: opts.raw, headers: { ...(opts.noCookie ? {} : { cookie }), ...opts.headers } }),
    close: () => http.close(),
  };
}

/** Server action ids by exported name, from the build's server-reference manifest. */
export function actionIds(): Record<string, string> {
  const distDir = process.env.NEXT_DIST_DIR || ".next";
  const file = path.resolve(import.meta.dirname, "../..", distDir, "server/server-reference-manifest.json");
  const manifest = JSON.parse(fs.readFileSync(file, "utf8")) as { node: Record<string, { exportedName?: string }> };
  const out: Record<string, string> = {};
  for (const [id, entry] of Object.entries(manifest.node)) if (entry.exportedName) out[entry.exportedName] = id;
  return out;
}

/**
 * Posts a server action the way React's client does for `action(prevState, formData)`: a multipart body
 * whose part "0" is the argument list, with the FormData's fields under the "_1_" prefix ("$K1").
 * `origin` undefined sends the page's own origin; null sends no Origin header at all.
 */
export function postAction(s: Session, pagePath: string, actionId: string, fields: Record<string, string>, opts: { origin?: string | null; args?: "form-state" | "form" | "none"; headers?: Record<string, string> } = {}) {
  const boundary = `----chaos${crypto.randomUUID().replaceAll("-", "")}`;
  const parts: [string, string][] = [];
  const args = opts.args ?? "form-state";
  if (args !== "none") {
    for (const [k, v] of Object.entries(fields)) parts.push([`_1_${k}`, v]);
    parts.push(["0", JSON.stringify(args === "form-state" ? [null, "$K1"] : ["$K1"])]);
  } else {
    parts.push(["0", "[]"]);
  }
  const body = parts.map(([k, v]) => `--${boundary}\r\nContent-Disposition: form-data; name="${k}"\r\n\r\n${v}\r\n`).join("") + `--${boundary}--\r\n`;
  const origin = opts.origin === undefined ? s.baseUrl : opts.origin;
  return s.request(pagePath, {
    method: "POST",
    raw: body,
    headers: {
      "content-type": `multipart/form-data; boundary=${boundary}`,
      "next-action": actionId,
      accept: "text/x-component",
      ...(origin === null ? {} : { origin }),
      ...opts.headers,
    },
  });
}

/** A browser with no session yet (sign-up, a link from an email), for posting public server actions. */
export function anonymous(baseUrl: string): Session {
  const http = createClient(baseUrl, 4);
  return {
    baseUrl,
    cookie: "",
    request: (p, opts = {}) => http.request(p, { method: opts.method, raw: opts.raw, headers: opts.headers }),
    close: () => http.close(),
  };
}
