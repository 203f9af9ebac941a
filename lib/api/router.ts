// The metering and platform API's one routing table. It is served two ways, with the same code: by the
// framework, through one catch-all route (pages/api/v1/[...path].ts: `next dev`, Vercel), and by `npm start`
// on a Node host straight from node:http (scripts/start.mjs), where the framework's own routing of a request
// cost more CPU than the metering request itself (README, "Machines' routes").
import type { IncomingMessage, ServerResponse } from "node:http";
import { AppError } from "@/lib/errors";
import { checkKeyFirst } from "./auth";
import { send, type ApiEndpoint } from "./endpoint";
import { setRouteParams } from "./params";
import { errorReply } from "./respond";
import check from "./routes/check";
import events from "./routes/events";
import gaugeClaim from "./routes/gauge-claim";
import gaugeRelease from "./routes/gauge-release";
import limitations from "./routes/limitations";
import openapiJson from "./routes/openapi-json";
import ping from "./routes/ping";
import usage from "./routes/usage";
import usageBatch from "./routes/usage-batch";
import webhookEndpoint from "./routes/webhook-endpoint";
import webhookEndpoints from "./routes/webhook-endpoints";
import workspace from "./routes/workspace";
import workspaceCheckoutSessions from "./routes/workspace-checkout-sessions";
import workspaceExtrasCheckoutSessions from "./routes/workspace-extras-checkout-sessions";
import workspacePortalSessions from "./routes/workspace-portal-sessions";
import workspaces from "./routes/workspaces";

/** Every route: its path, with {name} for a segment the endpoint reads with routeParam. */
export const API_ROUTES: readonly (readonly [string, ApiEndpoint])[] = [
  ["/api/v1/usage", usage],
  ["/api/v1/usage/batch", usageBatch],
  ["/api/v1/check", check],
  ["/api/v1/limitations", limitations],
  ["/api/v1/events", events],
  ["/api/v1/gauges/{feature}/claim", gaugeClaim],
  ["/api/v1/gauges/{feature}/release", gaugeRelease],
  ["/api/v1/workspaces", workspaces],
  ["/api/v1/workspaces/{ref}", workspace],
  ["/api/v1/workspaces/{ref}/checkout-sessions", workspaceCheckoutSessions],
  ["/api/v1/workspaces/{ref}/portal-sessions", workspacePortalSessions],
  ["/api/v1/workspaces/{ref}/extras/checkout-sessions", workspaceExtrasCheckoutSessions],
  ["/api/v1/webhook-endpoints", webhookEndpoints],
  ["/api/v1/webhook-endpoints/{id}", webhookEndpoint],
  ["/api/v1/openapi.json", openapiJson],
  ["/api/v1/ping", ping],
];

/** The routes any caller may ask without a key. */
const KEYLESS = new Set<ApiEndpoint>([openapiJson, ping]);

const table = API_ROUTES.map(([path, endpoint]) => ({ segments: path.split("/"), endpoint }));

/** The endpoint for a path and the values of its {name} segments, or null when no route has that path. */
export function matchRoute(pathname: string): { endpoint: ApiEndpoint; params: Record<string, string> } | null {
  const parts = pathname.split("/");
  for (const { segments, endpoint } of table) {
    if (segments.length !== parts.length) continue;
    const params: Record<string, string> = {};
    let ok = true;
    for (let i = 0; ok && i < segments.length; i++) {
      const s = segments[i]!;
      if (s.startsWith("{")) {
        ok = parts[i] !== "";
        params[s.slice(1, -1)] = parts[i]!;
      } else ok = s === parts[i];
    }
    if (ok) return { endpoint, params };
  }
  return null;
}

/** Answers a request to the API: its route's endpoint, or 404 in the API's error shape. */
export async function apiRouter(req: IncomingMessage, res: ServerResponse): Promise<void> {
  const pathname = (req.url ?? "/").split("?", 1)[0]!;
  const route = matchRoute(pathname);
  if (!route) {
    send(req, res, errorReply(new AppError("not_found", `No route of the API has the path ${pathname}; see /api/v1/openapi.json.`)));
    return;
  }
  // A NUL in a path segment or a query value would reach PostgreSQL, whose text cannot hold it. Refused after
  // the key, as all bad input is (auth.ts): a caller without a valid key only learns 401 or 429. The routes
  // without a key read neither the URL nor the database, so they answer as they always do.
  if (!KEYLESS.has(route.endpoint) && req.url?.includes("%00")) {
    const refused = new AppError("invalid_request", "The URL holds a NUL character (%00), which no path or parameter accepts.");
    send(req, res, errorReply(await checkKeyFirst(req, refused).catch((e: unknown) => e)));
    return;
  }
  setRouteParams(req, route.params);
  await route.endpoint(req, res);
}
