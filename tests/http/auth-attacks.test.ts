// Attacks on sign-in and sessions against the built app: a copied session cookie after sign-out, and
// password guessing straight at Auth.js's credentials endpoint.
import { afterAll, describe, expect, it } from "vitest";
import { registerUser } from "@/lib/auth/users";
import { actionIds, postAction, signIn } from "../chaos/session";
import { createClient } from "./client";
import { baseUrl, closeAll, testDb, uid } from "./helpers";

const PASSWORD = "correct-horse-battery-staple";
const http = createClient(baseUrl, 4);

afterAll(async () => {
  http.close();
  await closeAll();
});

async function newAccount() {
  const email = `attack-${uid()}@example.test`;
  const { workspace } = await registerUser(testDb(), { email, password: PASSWORD, workspace: `Attack ${uid()}` });
  return { email, slug: workspace.slug };
}

describe("sign-out", () => {
  it("ends the session on the server: a copy of the cookie taken before no longer opens the workspace", async () => {
    const { email, slug } = await newAccount();
    const session = await signIn(baseUrl, email, PASSWORD);
    const copied = session.cookie;
    const page = `/w/${slug}/billing`;
    expect((await http.request(page, { headers: { cookie: copied } })).status).toBe(200);

    // The sign-out button, as the browser posts it (a form action with the page's own Origin).
    const out = await postAction(session, page, actionIds().signOutAction!, {}, { args: "form" });
    expect(out.status).toBeLessThan(400);

    const replay = await http.request(page, { headers: { cookie: copied } });
    expect(replay.status).not.toBe(200);
    expect(String(replay.headers.location ?? replay.text)).toContain("/sign-in");
    session.close();
  });

  it("through Auth.js's own sign-out endpoint too", async () => {
    const { email, slug } = await newAccount();
    const session = await signIn(baseUrl, email, PASSWORD);
    const csrf = await http.request("/api/auth/csrf", { headers: { cookie: session.cookie } });
    const csrfCookie = (csrf.headers["set-cookie"] ?? []).map((c) => c.split(";")[0]).join("; ");
    const body = new URLSearchParams({ csrfToken: csrf.json.csrfToken, callbackUrl: `${baseUrl}/sign-in` }).toString();
    await http.request("/api/auth/signout", { raw: body, headers: { "content-type": "application/x-www-form-urlencoded", cookie: `${session.cookie}; ${csrfCookie}`, origin: baseUrl } });
    expect((await http.request(`/w/${slug}/billing`, { headers: { cookie: session.cookie } })).status).not.toBe(200);
    session.close();
  });
});

describe("password guessing", () => {
  async function attempt(email: string, password: string) {
    const csrf = await http.request("/api/auth/csrf");
    const cookie = (csrf.headers["set-cookie"] ?? []).map((c) => c.split(";")[0]).join("; ");
    const body = new URLSearchParams({ csrfToken: csrf.json.csrfToken, email, password, callbackUrl: `${baseUrl}/app` }).toString();
    return http.request("/api/auth/callback/credentials", { raw: body, headers: { "content-type": "application/x-www-form-urlencoded", cookie, origin: baseUrl } });
  }

  it("is refused with 429 and Retry-After from the 11th failure for an email, even with the right password", async () => {
    const { email } = await newAccount();
    for (let i = 0; i < 10; i++) {
      const r = await attempt(email, `guess-${i}`);
      expect(r.status, `attempt ${i + 1}`).toBe(302);
      expect(r.headers["set-cookie"]?.some((c) => c.includes("session-token=") && !c.includes("session-token=;"))).toBeFalsy();
    }
    const refused = await attempt(email, PASSWORD);
    expect(refused.status).toBe(429);
    const retryAfter = Number(refused.headers["retry-after"]);
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(15 * 60);
    expect(refused.headers["set-cookie"]?.some((c) => c.includes("session-token=") && !c.includes("session-token=;"))).toBeFalsy();
  });
});
