// The API's endpoints run on Node's own request and response, not behind the web Request/Response adapters of
// App Router route handlers (about 1 ms of CPU per request for a handler that does nothing, on these machines),
// so that `npm start` can serve them from node:http without the framework (router.ts).
import type { IncomingMessage, ServerResponse } from "node:http";
import { AppError } from "@/lib/errors";
import { errorReply, type ApiReply } from "./respond";

export type ApiHandler = (req: IncomingMessage) => Promise<ApiReply> | ApiReply;

type Method = "GET" | "POST" | "PATCH" | "DELETE";

/** A route's endpoint: answers a request, and says which methods it has (the OpenAPI test reads them). */
export type ApiEndpoint = ((req: IncomingMessage, res: ServerResponse) => Promise<void>) & { readonly methods: readonly Method[] };

/**
 * A route of the API: dispatches on the method (HEAD as GET without the body, OPTIONS lists what is allowed,
 * anything else 405), answers every failure in the error shape, and writes the answer with its
 * Content-Length in one write.
 */
export function apiEndpoint(handlers: Partial<Record<Method, ApiHandler>>): ApiEndpoint {
  const methods = Object.keys(handlers) as Method[];
  const allow = [...methods, ...(handlers.GET ? ["HEAD"] : []), "OPTIONS"];
  async function endpoint(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const method = req.method === "HEAD" ? "GET" : req.method;
    let reply: ApiReply;
    if (req.method === "OPTIONS") {
      reply = { status: 204, headers: { allow: allow.join(", ") }, body: "" };
    } else {
      const handler = handlers[method as Method];
      try {
        if (!handler) throw new AppError("method_not_allowed", `${req.method} is not allowed here; use ${allow.join(", ")}.`, { allow });
        reply = await handler(req);
      } catch (e) {
        reply = errorReply(e);
      }
    }
    send(req, res, reply);
  }
  return Object.assign(endpoint, { methods });
}

export function send(req: IncomingMessage, res: ServerResponse, reply: ApiReply) {
  if (res.headersSent || res.destroyed) return;
  res.writeHead(reply.status, { ...reply.headers, "content-length": Buffer.byteLength(reply.body) });
  res.end(req.method === "HEAD" ? undefined : reply.body);
}
