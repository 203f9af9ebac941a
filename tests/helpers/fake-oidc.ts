// A stand-in for an OpenID Connect provider (Google's side of "Sign in with Google"), so the app's real
// Auth.js flow runs end to end against it: discovery, the authorization redirect, the code exchange with
// PKCE, an RS256-signed ID token checked against the JWKS, and userinfo. Only the provider is fake.
//
// Who signs in is chosen by whoever follows the authorization redirect: add `identity=<base64url JSON
// of {sub, email, email_verified, name}>` to the authorization URL (see withIdentity).
import { createHash, createSign, generateKeyPairSync, randomBytes, type KeyObject } from "node:crypto";
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";

export interface FakeIdentity {
  sub: string;
  email: string;
  email_verified: boolean;
  name?: string;
}

export interface FakeOidcProvider {
  issuer: string;
  clientId: string;
  clientSecret: string;
  stop(): Promise<void>;
}

const b64u = (v: Buffer | string) => Buffer.from(v).toString("base64url");

/** The authorization URL the app redirected to, with the identity that will "sign in" there. */
export function withIdentity(authorizeUrl: string, identity: FakeIdentity): string {
  const u = new URL(authorizeUrl);
  u.searchParams.set("identity", b64u(JSON.stringify(identity)));
  return u.toString();
}

export async function startFakeOidc(opts: { port?: number; clientId?: string; clientSecret?: string } = {}): Promise<FakeOidcProvider> {
  const clientId = opts.clientId ?? "fake-client-id";
  const clientSecret = opts.clientSecret ?? "fake-client-secret";
  const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  const kid = randomBytes(8).toString("hex");
  const codes = new Map<string, { identity: FakeIdentity; nonce?: string; challenge?: string; redirectUri: string }>();
  const tokens = new Map<string, FakeIdentity>();
  let issuer = "";

  const server: Server = createServer(async (req, res) => {
    const url = new URL(req.url ?? "/", issuer);
    const json = (status: number, body: unknown) => res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(body));
    try {
      if (url.pathname === "/.well-known/openid-configuration") {
        return json(200, {
          issuer,
          authorization_endpoint: `${issuer}/authorize`,
          token_endpoint: `${issuer}/token`,
          userinfo_endpoint: `${issuer}/userinfo`,
          jwks_uri: `${issuer}/jwks`,
          response_types_supported: ["code"],
          subject_types_supported: ["public"],
          id_token_signing_alg_values_supported: ["RS256"],
          code_challenge_methods_supported: ["S256"],
          token_endpoint_auth_methods_supported: ["client_secret_basic", "client_secret_post"],
        });
      }
      if (url.pathname === "/jwks") return json(200, { keys: [{ ...(publicKey.export({ format: "jwk" }) as object), kid, alg: "RS256", use: "sig" }] });
      if (url.pathname === "/authorize") {
        const p = url.searchParams;
        const raw = p.get("identity");
        if (p.get("client_id") !== clientId || !raw || !p.get("redirect_uri")) return json(400, { error: "invalid_request" });
        const identity = JSON.parse(Buffer.from(raw, "base64url").toString("utf8")) as FakeIdentity;
        const code = randomBytes(16).toString("hex");
        codes.set(code, { identity, nonce: p.get("nonce") ?? undefined, challenge: p.get("code_challenge") ?? undefined, redirectUri: p.get("redirect_uri")! });
        const back = new URL(p.get("redirect_uri")!);
        back.searchParams.set("code", code);
        if (p.get("state")) back.searchParams.set("state", p.get("state")!);
        return res.writeHead(302, { location: back.toString() }).end();
      }
      if (url.pathname === "/token" && req.method === "POST") {
        const form = new URLSearchParams(await bodyOf(req));
        const [id, secret] = clientCredentials(req, form);
        if (id !== clientId || secret !== clientSecret) return json(401, { error: "invalid_client" });
        const grant = codes.get(form.get("code") ?? "");
        codes.delete(form.get("code") ?? "");
        if (!grant) return json(400, { error: "invalid_grant", error_description: "unknown or used code" });
        if (grant.redirectUri !== form.get("redirect_uri")) return json(400, { error: "invalid_grant", error_description: `redirect_uri ${form.get("redirect_uri")} is not ${grant.redirectUri}` });
        if (grant.challenge && b64u(createHash("sha256").update(form.get("code_verifier") ?? "").digest()) !== grant.challenge) return json(400, { error: "invalid_grant", error_description: "code_verifier does not match the code_challenge" });
        const accessToken = randomBytes(16).toString("hex");
        tokens.set(accessToken, grant.identity);
        const now = Math.floor(Date.now() / 1000);
        const idToken = sign(privateKey, kid, { iss: issuer, aud: clientId, iat: now, exp: now + 300, ...(grant.nonce ? { nonce: grant.nonce } : {}), ...grant.identity });
        return json(200, { access_token: accessToken, token_type: "Bearer", expires_in: 300, id_token: idToken, scope: "openid email profile" });
      }
      if (url.pathname === "/userinfo") {
        const identity = tokens.get((req.headers.authorization ?? "").replace(/^Bearer /, ""));
        return identity ? json(200, identity) : json(401, { error: "invalid_token" });
      }
      json(404, { error: "not_found" });
    } catch (e) {
      json(500, { error: String(e) });
    }
  });
  await new Promise<void>((resolve) => server.listen(opts.port ?? 0, "127.0.0.1", resolve));
  issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { issuer, clientId, clientSecret, stop: () => new Promise<void>((r) => server.close(() => r())) };
}

function sign(key: KeyObject, kid: string, claims: Record<string, unknown>): string {
  const input = `${b64u(JSON.stringify({ alg: "RS256", typ: "JWT", kid }))}.${b64u(JSON.stringify(claims))}`;
  return `${input}.${createSign("RSA-SHA256").update(input).sign(key).toString("base64url")}`;
}

function clientCredentials(req: IncomingMessage, form: URLSearchParams): [string | null, string | null] {
  const basic = /^Basic (.+)$/.exec(req.headers.authorization ?? "");
  if (basic) {
    const [id, secret] = Buffer.from(basic[1]!, "base64").toString("utf8").split(":").map(decodeURIComponent);
    return [id ?? null, secret ?? null];
  }
  return [form.get("client_id"), form.get("client_secret")];
}

function bodyOf(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}
