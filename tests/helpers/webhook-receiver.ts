import http from "node:http";
import type { AddressInfo } from "node:net";
import { Webhook } from "standardwebhooks";

export interface Received {
  id: string;
  timestamp: string;
  raw: string;
  body: { id: string; type: string; createdAt: string; workspace: { id: string; externalId: string | null }; data: Record<string, unknown> };
  at: number;
}

/**
 * A real receiver for outgoing webhooks: a node http server that verifies each delivery with the
 * `standardwebhooks` package (signature and timestamp) as an integrator would, and keeps what it accepted.
 * `status` decides the answer (500 to make deliveries fail); a delivery that fails verification gets 400 and
 * counts in `rejected`. A delivery is kept when its body arrives, before the answer (what a receiver that
 * commits before answering sees).
 */
export async function startReceiver(opts: { secret?: string; status?: number; verifyTimestamp?: boolean; holdMs?: number } = {}) {
  const received: Received[] = [];
  const state = { secret: opts.secret ?? "", status: opts.status ?? 200, rejected: 0, hits: 0, onRequest: undefined as (() => void) | undefined };
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      state.hits += 1;
      state.onRequest?.();
      const raw = Buffer.concat(chunks).toString("utf8");
      const headers = { "webhook-id": String(req.headers["webhook-id"] ?? ""), "webhook-timestamp": String(req.headers["webhook-timestamp"] ?? ""), "webhook-signature": String(req.headers["webhook-signature"] ?? "") };
      try {
        const wh = new Webhook(state.secret);
        // Tests that move the sender's clock days ahead check the signature with the timestamp it signed.
        if (opts.verifyTimestamp === false) {
          const expected = wh.sign(headers["webhook-id"], new Date(Number(headers["webhook-timestamp"]) * 1000), raw);
          if (!headers["webhook-signature"].split(" ").includes(expected)) throw new Error("bad signature");
        } else {
          wh.verify(raw, headers);
        }
      } catch {
        state.rejected += 1;
        res.writeHead(400).end("bad signature");
        return;
      }
      if (state.status >= 200 && state.status < 300) received.push({ id: headers["webhook-id"], timestamp: headers["webhook-timestamp"], raw, body: JSON.parse(raw), at: Date.now() });
      // holdMs keeps the sender waiting for the answer, so a test can kill it mid-delivery.
      const answer = () => res.writeHead(state.status, { "content-type": "text/plain" }).end(state.status < 300 ? "ok" : "receiver is down");
      if (opts.holdMs) setTimeout(answer, opts.holdMs);
      else answer();
    });
  });
  server.keepAliveTimeout = 5_000;
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks`;
  return {
    url, received, state,
    close: () => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
  };
}
