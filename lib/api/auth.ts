import type { IncomingMessage } from "node:http";
import { apiKeyScope, authenticateApiKey, type ApiKeyScope, type ApiPrincipal } from "@/lib/api-keys";
import { isResolved, resolveWorkspace } from "@/lib/billing";
import { db } from "@/lib/db";
import { env } from "@/lib/env";
import { AppError, isAppError } from "@/lib/errors";
import { clientAddress } from "@/lib/net/client-address";
import { isPlatformToken, platformKeyScope } from "@/lib/platform-keys";
import type { ApiHandler } from "./endpoint";
import type { ApiReply } from "./respond";

/** A request header's value (the first, when sent more than once). */
export const headerOf = (req: IncomingMessage, name: string): string | undefined => {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
};

/** The bearer token of the request, or null when there is none. */
export function bearerToken(req: IncomingMessage): string | null {
  const m = headerOf(req, "authorization")?.match(/^Bearer\s+(\S+)\s*$/i);
  return m?.[1] ?? null;
}

/** Who the bad-key limiter counts against: the client's address, read as TRUST_PROXY says. */
export function clientKeyOf(req: IncomingMessage): string {
  return clientAddress({ forwardedFor: headerOf(req, "x-forwarded-for"), peerAddress: req.socket?.remoteAddress }, env().TRUST_PROXY);
}

/** The request's query parameters. */
export const queryOf = (req: IncomingMessage): URLSearchParams => new URL(req.url ?? "/", "http://localhost").searchParams;

/**
 * The workspace the request's key acts for, as a scope: a workspace key's own workspace (naming another one
 * with `workspace` finds nothing: 404), or the workspace a platform key names with `workspace` (a Tally id
 * or the integrator's externalId; without one, 400 workspace_required). `keyOnly` checks the key alone.
 */
export function requestScope(req: IncomingMessage, workspace?: string | null, keyOnly = false): ApiKeyScope {
  const secret = bearerToken(req);
  const credentials = { secret, clientKey: clientKeyOf(req), workspace: workspace ?? null };
  return isPlatformToken(secret) ? platformKeyScope(db(), { ...credentials, keyOnly }) : apiKeyScope(db(), credentials);
}

/** The workspace the request's key acts for (see requestScope); unauthorized (401) or rate_limited (429) otherwise. */
export async function requireApiKey(req: IncomingMessage, workspace?: string | null): Promise<ApiPrincipal> {
  if (!isPlatformToken(bearerToken(req)) && workspace == null) return authenticateApiKey(db(), { secret: bearerToken(req), clientKey: clientKeyOf(req) });
  const scope = requestScope(req, workspace);
  await resolveWorkspace(db(), scope);
  return scope.principal!;
}

/** Checks the request's key alone, for a request refused before it could name its workspace: 401 and 429 come first. */
export async function checkKeyFirst(req: IncomingMessage, e: unknown): Promise<never> {
  if (isAppError(e) && e.status < 500 && !refusedKey(e)) await resolveWorkspace(db(), requestScope(req, null, true));
  throw e;
}

const refusedKey = (e: unknown) => isAppError(e) && (e.code === "unauthorized" || e.code === "rate_limited");

/**
 * A handler that passes the request's key (for the workspace the body names, if any) to the engine as the workspace, so the engine's first
 * statement checks the key and does the work in one round trip. A handler that fails before that
 * statement (bad input) has the key checked on its own first: a caller without a valid key only ever
 * learns 401 or 429, as if the key had been checked before anything else.
 */
export function keyedApiRoute(handler: (req: IncomingMessage, key: KeyFor) => Promise<ApiReply>): ApiHandler {
  return async (req) => {
    let scope: ApiKeyScope | undefined;
    const key: KeyFor = (workspace) => (scope = requestScope(req, workspace));
    try {
      return await handler(req, key);
    } catch (e) {
      if (scope && isResolved(scope)) throw e;
      return checkKeyFirst(req, e);
    }
  };
}

/** The scope of the request's key for the workspace the request names (undefined or null: none named). */
export type KeyFor = (workspace?: string | null) => ApiKeyScope;

/**
 * The platform key of the request, for what only a platform key may do (provisioning workspaces): a bad
 * key is 401 or 429 as anywhere, and a workspace key is 403.
 */
export async function requirePlatformKey(req: IncomingMessage, what = "provision workspaces; operators create them in the console"): Promise<ApiPrincipal> {
  const scope = requestScope(req, null, true);
  await resolveWorkspace(db(), scope);
  if (!scope.principal?.platform) throw new AppError("forbidden", `Only a platform key (tk_platform_...) can ${what}.`);
  return scope.principal;
}

/** Who the audit log names for a change made through the API: the key. */
export const apiActor = (principal: ApiPrincipal) => ({ kind: "api" as const, id: principal.keyId, email: null });

/** Reads and checks the request's input; when that refuses it, the key is checked first (see checkKeyFirst). */
export async function inputFirst<T>(req: IncomingMessage, read: () => Promise<T> | T): Promise<T> {
  try {
    return await read();
  } catch (e) {
    return checkKeyFirst(req, e);
  }
}
