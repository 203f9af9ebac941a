// A small HTTP client over node:http with a bounded keep-alive pool, so a test or a benchmark decides
// exactly how many connections hit the server at once.
import http from "node:http";

export interface Reply {
  status: number;
  headers: http.IncomingHttpHeaders;
  text: string;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  json: any;
}

export interface RequestOptions {
  method?: string;
  key?: string;
  /** Sent as JSON unless `raw` is given. */
  body?: unknown;
  raw?: string | Buffer;
  headers?: Record<string, string>;
}

export function createClient(baseUrl: string, connections = 64) {
  // With a timeout, Node's agent drops an idle connection a second before the server's Keep-Alive hint says
  // it closes (the server closes a second after the hint); without one it ignores the hint and can send a
  // request on a connection just as the server closes it ("socket hang up"). 60 s, as the requests' own.
  const agent = new http.Agent({ keepAlive: true, maxSockets: connections, timeout: 60_000 });
  const base = new URL(baseUrl);
  const request = (path: string, opts: RequestOptions = {}): Promise<Reply> =>
    new Promise((resolve, reject) => {
      const payload = opts.raw ?? (opts.body === undefined ? undefined : JSON.stringify(opts.body));
      const headers: Record<string, string> = {
        ...(payload !== undefined && opts.raw === undefined ? { "content-type": "application/json" } : {}),
        ...(opts.key ? { authorization: `Bearer ${opts.key}` } : {}),
        ...(payload !== undefined ? { "content-length": String(Buffer.byteLength(payload)) } : {}),
        ...opts.headers,
      };
      // An empty value removes a header (e.g. content-length, to send a chunked body).
      for (const [k, v] of Object.entries(headers)) if (v === "") delete headers[k];
      const req = http.request(
        { agent, host: base.hostname, port: base.port, path, method: opts.method ?? (payload === undefined ? "GET" : "POST"), headers },
        (res) => {
          const chunks: Buffer[] = [];
          res.on("data", (c: Buffer) => chunks.push(c));
          res.on("end", () => {
            const text = Buffer.concat(chunks).toString("utf8");
            let json: unknown;
            try {
              json = JSON.parse(text);
            } catch {
              json = undefined;
            }
            resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json });
          });
          res.on("error", reject);
        },
      );
      req.setTimeout(60_000, () => req.destroy(new Error(`timeout: ${path}`)));
      // A kept-alive connection the server closed as this request went out fails it too; say so, to tell that
      // race from a server that dropped the request.
      req.on("error", (e) => reject(req.reusedSocket ? Object.assign(e, { message: `${e.message} (on a reused connection)` }) : e));
      if (payload !== undefined) req.write(payload);
      req.end();
    });
  return { request, close: () => agent.destroy() };
}
