import dns from "node:dns";
import http from "node:http";
import https from "node:https";
import type { LookupFunction } from "node:net";
import { webhookPrivateAddressesOf } from "@/lib/env";
import { isPublicAddress } from "@/lib/net/public-address";

// Deliveries go through node's http(s) with keep-alive agents rather than fetch: on the small machines this
// runs on, that is about four times the requests per second to one receiver (undici's fetch costs more CPU).

export interface PostResult {
  status: number;
  text: string;
}
export type Post = (url: string, body: string, headers: Record<string, string>, timeoutMs: number) => Promise<PostResult>;

const agents = { http: new http.Agent({ keepAlive: true, maxSockets: 64 }), https: new https.Agent({ keepAlive: true, maxSockets: 64 }) };
const guardedAgents = { http: new http.Agent({ keepAlive: true, maxSockets: 64 }), https: new https.Agent({ keepAlive: true, maxSockets: 64 }) };
const MAX_RESPONSE = 4_096;

const notPublic = (host: string, address: string) =>
  new Error(`${host === address ? address : `${host} resolves to ${address}, which`} is not a public address: deliveries go to public addresses only (WEBHOOK_PRIVATE_ADDRESSES)`);

// The address is checked as connected to, after DNS, so a name that resolves (or re-resolves) to a private
// address is refused too. Node does not look up an IP literal: that is checked before the request.
const publicOnly: LookupFunction = (hostname, options, callback) =>
  dns.lookup(hostname, options, (err, address, family) => {
    if (err) return callback(err, address, family);
    const all = Array.isArray(address) ? address : [{ address, family }];
    const bad = all.find((a) => !isPublicAddress(a.address));
    if (bad) return callback(notPublic(hostname, bad.address), address, family);
    callback(null, address, family);
  });

/** A POST of JSON; with `publicOnly`, only to public addresses (see lib/net/public-address.ts). */
export const postJsonWith = (opts: { publicOnly: boolean }): Post => (url, body, headers, timeoutMs) =>
  new Promise((resolve, reject) => {
    const u = new URL(url);
    const host = u.hostname.replace(/^\[|\]$/g, "");
    if (opts.publicOnly && /^[\d.]+$|:/.test(host) && !isPublicAddress(host)) return reject(notPublic(host, host));
    const secure = u.protocol === "https:";
    // Keep-alive sockets are pooled per agent: a guarded request never reuses an unguarded one's socket.
    const pool = opts.publicOnly ? guardedAgents : agents;
    const req = (secure ? https : http).request(u, {
      method: "POST", agent: secure ? pool.https : pool.http, timeout: timeoutMs, ...(opts.publicOnly ? { lookup: publicOnly } : {}),
      headers: { ...headers, "content-length": String(Buffer.byteLength(body)) },
    }, (res) => {
      let text = "";
      res.setEncoding("utf8");
      // Only the start of the answer is kept for the log; the rest is read and dropped so the socket is reused.
      res.on("data", (chunk: string) => {
        if (text.length < MAX_RESPONSE) text += chunk;
      });
      res.on("end", () => resolve({ status: res.statusCode ?? 0, text: text.slice(0, MAX_RESPONSE) }));
      res.on("error", reject);
    });
    const deadline = setTimeout(() => req.destroy(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
    req.on("timeout", () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    req.on("error", reject);
    req.on("close", () => clearTimeout(deadline));
    req.end(body);
  });

const guarded = postJsonWith({ publicOnly: true });
const open = postJsonWith({ publicOnly: false });

/** How deliveries are sent: to public addresses only unless WEBHOOK_PRIVATE_ADDRESSES allows the rest. */
export const postJson: Post = (...args) => (webhookPrivateAddressesOf(process.env) === "refuse" ? guarded : open)(...args);
