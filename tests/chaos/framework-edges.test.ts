// Item: framework edges. Internal headers, RSC and prefetch variants of protected URLs, and cookie-bearing
// mutations with Origin null, a foreign Origin or none: nothing protected is returned or changed.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { chaosDb, closeDb, createClient, instanceA } from "./helpers";
import { actionIds, postAction, signIn, type Session } from "./session";
import { rowsOf, seedTenants } from "./tenant";
import type { Reply } from "../http/client";

let t: Awaited<ReturnType<typeof seedTenants>>;
let session: Session;
const anonymous = createClient(instanceA(), 4);
beforeAll(async () => {
  t = await seedTenants(chaosDb());
  session = await signIn(instanceA(), t.a.email, "correct-horse-battery-staple");
});
afterAll(async () => {
  session?.close();
  anonymous.close();
  await closeDb();
});

const SUBREQUEST = ["middleware", "middleware:middleware:middleware:middleware:middleware", "src/middleware:src/middleware:src/middleware:src/middleware:src/middleware", "proxy:proxy:proxy:proxy:proxy", "pages/_middleware"];
const VARIANTS: { suffix: string; headers: Record<string, string> }[] = [
  { suffix: "", headers: {} },
  { suffix: ".rsc", headers: {} },
  { suffix: ".rsc", headers: { rsc: "1" } },
  { suffix: "?_rsc=1a2b3", headers: { rsc: "1" } },
  { suffix: "", headers: { rsc: "1" } },
  { suffix: "", headers: { rsc: "1", "next-router-prefetch": "1" } },
  { suffix: "?_rsc=x", headers: { rsc: "1", "next-router-prefetch": "1", "next-router-segment-prefetch": "/_tree" } },
  { suffix: ".prefetch.rsc", headers: { rsc: "1", "next-router-prefetch": "1" } },
  { suffix: "", headers: { "next-router-state-tree": "%5B%22%22%2C%7B%7D%5D", rsc: "1" } },
];

/** What only a member may see: the workspace's id, name, owner and key prefix. */
function revealsNothing(r: Reply, ws: { workspaceId: string; name?: string; email: string; keyPrefix?: string }, label: string) {
  for (const s of [ws.workspaceId, ws.name, ws.email, ws.keyPrefix].filter((x): x is string => !!x)) expect(r.text.includes(s), `${label} reveals ${s}`).toBe(false);
}

const aWorkspace = async () => {
  const w = await chaosDb().workspace.findUniqueOrThrow({ where: { id: t.a.workspaceId } });
  const k = await chaosDb().apiKey.findUniqueOrThrow({ where: { id: t.a.keyId } });
  return { ...t.a, name: w.name, keyPrefix: k.prefix };
};

describe("framework edges", () => {
  it("x-middleware-subrequest and RSC/prefetch variants return nothing protected without a session", async () => {
    const a = await aWorkspace();
    // The control: with the session, A's billing page shows A's name.
    expect((await session.request(`/w/${t.a.slug}/billing`)).text).toContain(a.name);
    for (const page of ["billing", "ledger", "api-keys", "members", "ledger/export"]) {
      for (const v of VARIANTS) {
        for (const sub of [undefined, ...SUBREQUEST]) {
          const path = `/w/${t.a.slug}/${page}${v.suffix}`;
          const r = await anonymous.request(path, { headers: { ...v.headers, ...(sub ? { "x-middleware-subrequest": sub } : {}) } });
          const label = `${path} ${JSON.stringify(v.headers)} subrequest=${sub}`;
          expect(r.status, label).toBeLessThan(500);
          revealsNothing(r, a, label);
        }
      }
    }
  });

  it("RSC/prefetch variants of B's pages return nothing of B's to A's session", async () => {
    for (const page of ["billing", "ledger", "api-keys", "members", "extras", "usage"]) {
      for (const v of VARIANTS) {
        const path = `/w/${t.b.slug}/${page}${v.suffix}`;
        const r = await session.request(path, { headers: { ...v.headers, "x-middleware-subrequest": SUBREQUEST[1]! } });
        expect(r.status, path).not.toBe(200);
        revealsNothing(r, t.b, `${path} ${JSON.stringify(v.headers)}`);
      }
    }
  });

  it("a server action with Origin null, a foreign Origin or none changes nothing; the same action from this site works", async () => {
    const ids = actionIds();
    const db = chaosDb();
    const keys = () => db.apiKey.count({ where: { workspaceId: t.a.workspaceId } });
    const start = await keys();
    const rowsBefore = await rowsOf(db, t.a.workspaceId);
    for (const origin of [null, "null", "https://evil.example", "http://127.0.0.1.evil.example", `${session.baseUrl}.evil.example`]) {
      for (const name of ["createApiKeyAction"]) {
        const r = await postAction(session, `/w/${t.a.slug}/api-keys`, ids[name]!, { slug: t.a.slug, name: `cross-site ${origin}` }, { origin });
        const label = `${name} origin=${origin}`;
        expect(r.text, label).not.toMatch(/tk_live_/);
        expect(r.headers["x-action-redirect"], label).toBeUndefined();
      }
      const changed = await postAction(session, `/w/${t.a.slug}/extras`, ids.autoTopUpAction!, { slug: t.a.slug, enabled: "on", threshold: "10", pack: "compute_500", monthlyCap: "3" }, { origin });
      expect(changed.headers["x-action-redirect"]).toBeUndefined();
      const gone = await postAction(session, `/w/${t.a.slug}/members`, ids.changeMemberAction!, { slug: t.a.slug, membershipId: "x", role: "REMOVE" }, { origin });
      expect(gone.headers["x-action-redirect"]).toBeUndefined();
    }
    expect(await keys()).toBe(start);
    expect(await rowsOf(db, t.a.workspaceId)).toEqual(rowsBefore);
    // The control: from A's own origin the same action creates a key (so the refusals above are the check, not a broken post).
    const ok = await postAction(session, `/w/${t.a.slug}/api-keys`, ids.createApiKeyAction!, { slug: t.a.slug, name: "same-site" });
    expect(ok.text).toMatch(/tk_live_/);
    expect(await keys()).toBe(start + 1);
  });

  it("sign-out with Origin null, a foreign Origin or none keeps the session", async () => {
    const ids = actionIds();
    for (const origin of [null, "null", "https://evil.example"]) {
      const r = await postAction(session, `/w/${t.a.slug}/billing`, ids.signOutAction!, {}, { origin, args: "none" });
      const cleared = (r.headers["set-cookie"] ?? []).some((c) => /authjs\.session-token=;|authjs\.session-token=(;|$)|Max-Age=0/i.test(c) && c.includes("session-token"));
      expect(cleared, `origin=${origin}`).toBe(false);
      expect(r.headers["x-action-redirect"], `origin=${origin}`).toBeUndefined();
    }
    expect((await session.request(`/w/${t.a.slug}/billing`)).status).toBe(200);
  });

  it("the ledger CSV export refuses another site's request (Origin null or foreign, Sec-Fetch-Site cross-site); a link click downloads", async () => {
    const crossSite: Record<string, string>[] = [{ origin: "null" }, { origin: "https://evil.example" }, { "sec-fetch-site": "cross-site" }, { origin: "https://evil.example", "sec-fetch-site": "cross-site", "sec-fetch-mode": "cors" }];
    for (const headers of crossSite) {
      const r = await session.request(`/w/${t.a.slug}/ledger/export`, { headers });
      expect(r.status, JSON.stringify(headers)).toBe(403);
      expect(r.text).not.toContain("entry_id");
    }
    const click = await session.request(`/w/${t.a.slug}/ledger/export`, { headers: { "sec-fetch-site": "same-origin" } });
    expect(click.status).toBe(200);
    expect(click.text.split("\n")[0]).toContain("entry_id");
  });
});
