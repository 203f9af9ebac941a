// "Sign in with Google" through the app's real Auth.js flow, against a local OpenID Connect provider: the
// account takeover described in the security report, and linking a provider from account settings.
import { afterAll, describe, expect, it } from "vitest";
import { inject } from "vitest";
import { linkIn } from "../helpers/mailbox";
import { withIdentity, type FakeIdentity } from "../helpers/fake-oidc";
import { actionIds, anonymous, postAction, signIn, type Session } from "../chaos/session";
import { baseUrl, closeAll, mailbox, testDb, uid } from "./helpers";

const PASSWORD = "correct-horse-battery-staple";
const issuer = inject("httpOidcIssuer");
const visitor = anonymous(baseUrl);

afterAll(async () => {
  visitor.close();
  await closeAll();
});

/** A cookie jar for one browser, over fetch with redirects followed by hand. */
function browser(initial = "") {
  const jar = new Map<string, string>();
  for (const c of initial.split("; ").filter(Boolean)) jar.set(c.slice(0, c.indexOf("=")), c);
  const keep = (r: Response) => {
    for (const c of r.headers.getSetCookie()) {
      const pair = c.split(";")[0]!;
      const name = pair.slice(0, pair.indexOf("="));
      if (pair.endsWith("=") || /max-age=0|expires=thu, 01 jan 1970/i.test(c)) jar.delete(name);
      else jar.set(name, pair);
    }
  };
  const cookie = () => [...jar.values()].join("; ");
  return {
    cookie,
    hasSession: () => [...jar.keys()].some((k) => k.endsWith("authjs.session-token")),
    async fetch(url: string, init: RequestInit = {}) {
      // Auth.js may name the app localhost where the tests say 127.0.0.1: everything but the provider is the app.
      const sameSite = !url.startsWith(issuer);
      const r = await fetch(url.startsWith("/") ? `${baseUrl}${url}` : url, { ...init, redirect: "manual", headers: { ...(init.headers as Record<string, string>), ...(sameSite ? { cookie: cookie() } : {}) } });
      if (sameSite) keep(r);
      return r;
    },
  };
}
type Browser = ReturnType<typeof browser>;

/** Follows the provider's authorization redirect as `identity` and the app's callback; returns the path the app sent the browser to. */
async function throughProvider(b: Browser, authorizeUrl: string, identity: FakeIdentity): Promise<string> {
  expect(authorizeUrl.startsWith(`${issuer}/authorize`)).toBe(true);
  const back = await b.fetch(withIdentity(authorizeUrl, identity));
  expect(back.status).toBe(302);
  const callback = await b.fetch(back.headers.get("location")!);
  expect([302, 303]).toContain(callback.status);
  const landed = new URL(callback.headers.get("location")!, baseUrl);
  return landed.pathname + landed.search;
}

/** "Continue with Google" on the sign-in page, as the browser runs it. */
async function continueWithGoogle(b: Browser, identity: FakeIdentity): Promise<string> {
  const csrf = (await (await b.fetch("/api/auth/csrf")).json()) as { csrfToken: string };
  const start = await b.fetch("/api/auth/signin/google", {
    method: "POST",
    body: new URLSearchParams({ csrfToken: csrf.csrfToken, callbackUrl: "/app" }).toString(),
    headers: { "content-type": "application/x-www-form-urlencoded", origin: baseUrl },
  });
  expect(start.status).toBe(302);
  return throughProvider(b, start.headers.get("location")!, identity);
}

const googleIdentity = (email: string): FakeIdentity => ({ sub: `google-${uid()}`, email, email_verified: true, name: "Victor Victim" });

describe("OAuth account takeover (security report, finding 2)", () => {
  it("an attacker who signed up with the victim's address gets nothing when the victim signs in with Google; the victim recovers by reset, then Google joins", async () => {
    const email = `victim-${uid()}@example.test`;
    // The attacker signs up first, with the victim's address and a password of their own (never verified).
    await postAction(visitor, "/sign-up", actionIds().signUpAction!, { name: "Mallory", email, password: "attacker-password-1", workspace: "Trap" });
    const attacker = await testDb().user.findUniqueOrThrow({ where: { email } });
    expect(attacker.emailVerified).toBeNull();

    // The victim signs in with Google, whose email is verified: refused, in words, with no session.
    const victim = browser();
    const identity = googleIdentity(email);
    const landed = await continueWithGoogle(victim, identity);
    expect(landed).toBe("/sign-in?error=link_needs_verified_email");
    expect(victim.hasSession()).toBe(false);
    expect(await testDb().account.count({ where: { userId: attacker.id } })).toBe(0);
    const page = await (await victim.fetch(landed)).text();
    expect(page).toContain("we join them only when both the provider and Tally have verified the address");

    // The victim proves the address with a reset link; the attacker's password stops working.
    await postAction(visitor, "/forgot-password", actionIds().requestPasswordResetAction!, { email });
    const link = linkIn(await mailbox.waitFor({ to: email, subject: "Reset your Tally password" }), "/reset-password");
    await postAction(visitor, "/reset-password", actionIds().resetPasswordAction!, { token: new URL(link).searchParams.get("token")!, password: "victims-own-password-2" });
    await expect(signIn(baseUrl, email, "attacker-password-1")).rejects.toThrow(/sign-in failed/);

    // Both sides verified now: Google joins the account and signs the victim in.
    const again = browser();
    expect(await continueWithGoogle(again, identity)).toBe("/app");
    expect(again.hasSession()).toBe(true);
    expect(await testDb().account.findMany({ where: { userId: attacker.id }, select: { provider: true } })).toEqual([{ provider: "google" }]);
  });
});

describe("linking a provider from account settings", () => {
  async function passwordUser() {
    const email = `linker-${uid()}@example.test`;
    await postAction(visitor, "/sign-up", actionIds().signUpAction!, { name: "Lin", email, password: PASSWORD, workspace: `Link ${uid()}` });
    const user = await testDb().user.findUniqueOrThrow({ where: { email } });
    return { email, userId: user.id, session: await signIn(baseUrl, email, PASSWORD) };
  }

  /** Presses "Link Google" on the account page: the action answers with the provider's authorization URL. */
  async function pressLink(b: Browser, session: Session) {
    const r = await postAction({ ...session, request: (p, opts = {}) => b.fetch(p, { method: opts.method, body: opts.raw as string, headers: opts.headers }).then(toReply) } as Session, "/account", actionIds().linkProviderAction!, { provider: "google" }, { args: "form" });
    const target = String(r.headers["x-action-redirect"] ?? r.headers.location ?? "").split(";")[0]!;
    return target;
  }

  it("signed in with the password, the user links a Google identity with another address; it then signs in as this user", async () => {
    const { userId, session } = await passwordUser();
    const b = browser(session.cookie);
    const identity: FakeIdentity = { sub: `google-${uid()}`, email: `elsewhere-${uid()}@example.test`, email_verified: false };
    const landed = await throughProvider(b, await pressLink(b, session), identity);
    expect(landed).toBe("/account?linked=google");
    expect(await testDb().account.findMany({ where: { userId }, select: { provider: true } })).toEqual([{ provider: "google" }]);

    const fresh = browser();
    expect(await continueWithGoogle(fresh, identity)).toBe("/app");
    expect(fresh.hasSession()).toBe(true);
    session.close();
  });

  it("without the intent from the settings page, the same flow links nothing (a Google sign-in while signed in is not a link)", async () => {
    const { userId, session } = await passwordUser();
    const b = browser(session.cookie);
    const identity: FakeIdentity = { sub: `google-${uid()}`, email: `someone-${uid()}@example.test`, email_verified: true };
    await continueWithGoogle(b, identity);
    expect(await testDb().account.count({ where: { userId } })).toBe(0);
    session.close();
  });
});

async function toReply(r: Response) {
  const text = await r.text();
  const headers: Record<string, string | string[]> = {};
  r.headers.forEach((v, k) => (headers[k] = v));
  headers["set-cookie"] = r.headers.getSetCookie();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: r.status, headers, text, json } as Awaited<ReturnType<Session["request"]>>;
}
