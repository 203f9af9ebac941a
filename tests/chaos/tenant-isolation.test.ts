// Item: tenant isolation. With workspace A's session and API key, every page, route and server action
// (posted directly by its id from the build's manifest) called with workspace B's ids answers 404, 403
// or a form error that names nothing of B's, and none of B's rows is read or changed.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { chaosDb, closeDb, createClient, instanceA, instanceB } from "./helpers";
import { actionIds, postAction, signIn, type Session } from "./session";
import { rowsOf, seedTenants } from "./tenant";
import type { Reply } from "../http/client";

let t: Awaited<ReturnType<typeof seedTenants>>;
let session: Session;
let before: Record<string, string[]>;
beforeAll(async () => {
  t = await seedTenants(chaosDb());
  await chaosDb().workspace.update({ where: { id: t.b.workspaceId }, data: { externalId: `tenant-b-${t.b.workspaceId.slice(-6)}` } });
  session = await signIn(instanceB(), t.a.email, "correct-horse-battery-staple");
  before = await rowsOf(chaosDb(), t.b.workspaceId);
});
afterAll(async () => {
  session?.close();
  await closeDb();
});

/** Nothing of B's that the request did not itself carry: its id, name, owner, key prefix. */
function revealsNothingOfB(r: Reply, label: string) {
  for (const secret of [t.b.workspaceId, t.b.name, t.b.email, t.b.keyPrefix]) expect(r.text.includes(secret), `${label} reveals ${secret}`).toBe(false);
}

const PAGES = ["billing", "plans", "extras", "ledger", "usage", "invoices", "api-keys", "members"];

describe("tenant isolation", () => {
  it("A's session gets 404 for every page of B's, and for B's ledger export", async () => {
    // The control: A's own pages answer 200.
    for (const p of PAGES) expect((await session.request(`/w/${t.a.slug}/${p}`)).status, p).toBe(200);
    for (const p of [...PAGES.map((p) => `/w/${t.b.slug}/${p}`), `/w/${t.b.slug}`, `/w/${t.b.slug}/ledger/export`, `/w/${t.b.slug}/ledger/export?kind=topup`, "/admin/plans", "/admin/plans/free", "/admin/model-prices", "/admin/model-prices/export?from=2026-01", "/admin/platform-keys", "/admin/webhooks"]) {
      const r = await session.request(p);
      expect(r.status, p).toBe(404);
      revealsNothingOfB(r, p);
    }
  });

  it("A's pages given B's ids (a checkout session, a ledger cursor, a lot) show only A's", async () => {
    const lot = await chaosDb().extrasLot.findUniqueOrThrow({ where: { id: t.b.lotId } });
    for (const p of [`/w/${t.a.slug}/billing?checkout=success&session_id=${lot.sourceRef}`, `/w/${t.a.slug}/ledger?cursor=${t.b.lotId}`, `/w/${t.a.slug}/ledger?lot=${t.b.lotId}`, `/w/${t.a.slug}/usage?event=b-usage-0`]) {
      const r = await session.request(p);
      expect(r.status, p).toBeLessThan(500);
      revealsNothingOfB(r, p);
    }
  });

  it("A's API key cannot reach B: a workspaceId field is refused, B's idempotency keys are A's own", async () => {
    const api = createClient(instanceA(), 4);
    const refused = await api.request("/api/v1/usage", { key: t.a.key, body: { feature: "compute", units: 1, idempotencyKey: "x-1", workspaceId: t.b.workspaceId } });
    expect(refused.status).toBe(400);
    // B recorded 5 units under "b-usage-0"; under A's key the same idempotency key is a new event of A's.
    const own = await api.request("/api/v1/usage", { key: t.a.key, body: { feature: "compute", units: 1, idempotencyKey: "b-usage-0" } });
    expect(own.status).toBe(200);
    expect(own.json.units).toBe(1);
    for (const p of ["/api/v1/limitations", `/api/v1/limitations?workspaceId=${t.b.workspaceId}`]) {
      const r = await api.request(p, { key: t.a.key });
      expect(r.status).toBe(200);
      expect(r.json.workspaceId).toBe(t.a.workspaceId);
      revealsNothingOfB(r, p);
    }
    const check = await api.request("/api/v1/check", { key: t.a.key, body: { feature: "compute", units: 1, workspaceId: t.b.workspaceId } });
    expect(check.status).toBe(400);
    api.close();
  });

  it("A's API key naming B (by id or externalId) gets 404 on every workspace-scoped route", async () => {
    const api = createClient(instanceA(), 4);
    const { externalId } = await chaosDb().workspace.findUniqueOrThrow({ where: { id: t.b.workspaceId } });
    const back = "http://127.0.0.1/back";
    for (const ref of [t.b.workspaceId, externalId!]) {
      const calls: [string, unknown?, string?][] = [
        ["/api/v1/usage", { workspace: ref, feature: "compute", units: 1, idempotencyKey: "naming-b" }],
        ["/api/v1/usage/batch", { workspace: ref, events: [{ feature: "compute", units: 1, idempotencyKey: "naming-b-batch" }] }],
        ["/api/v1/check", { workspace: ref, feature: "compute", units: 1 }],
        [`/api/v1/limitations?workspace=${encodeURIComponent(ref)}`],
        [`/api/v1/events?workspace=${encodeURIComponent(ref)}`],
        ["/api/v1/gauges/projects/claim", { workspace: ref, idempotencyKey: "naming-b-claim" }],
        ["/api/v1/gauges/seats/release", { workspace: ref, idempotencyKey: "naming-b-release" }],
        [`/api/v1/workspaces/${encodeURIComponent(ref)}`],
        [`/api/v1/workspaces/${encodeURIComponent(ref)}`, { name: "renamed by A" }, "PATCH"],
        [`/api/v1/workspaces/${encodeURIComponent(ref)}/checkout-sessions`, { plan: "pro", interval: "month", successUrl: back, cancelUrl: back }],
        [`/api/v1/workspaces/${encodeURIComponent(ref)}/extras/checkout-sessions`, { pack: "compute_500", successUrl: back, cancelUrl: back }],
        [`/api/v1/workspaces/${encodeURIComponent(ref)}/portal-sessions`, { returnUrl: back }],
      ];
      for (const [path, body, method] of calls) {
        const r = await api.request(path, { key: t.a.key, body, method });
        expect(r.status, `${method ?? ""} ${path}`).toBe(404);
        revealsNothingOfB(r, path);
      }
    }
    // Only a platform key provisions.
    expect((await api.request("/api/v1/workspaces", { key: t.a.key, body: { externalId: "from-a", name: "A's" } })).status).toBe(403);
    api.close();
  });

  it("every server action, posted by id with B's ids, is refused without touching B", async () => {
    const ids = actionIds();
    const requestKey = () => `req${crypto.randomUUID().replaceAll("-", "")}`;
    const at = (page: string) => `/w/${t.a.slug}/${page}`;
    // Each workspace action with B's slug, and with A's slug but B's object ids where it takes one.
    const cases: Record<string, [string, Record<string, string>][]> = {
      createApiKeyAction: [[at("api-keys"), { slug: t.b.slug, name: "from A" }]],
      revokeApiKeyAction: [[at("api-keys"), { slug: t.b.slug, keyId: t.b.keyId }], [at("api-keys"), { slug: t.a.slug, keyId: t.b.keyId }]],
      dismissFirstRunAction: [[at("billing"), { slug: t.b.slug }]],
      buyPackAction: [[at("extras"), { slug: t.b.slug, pack: "compute_500", requestKey: requestKey() }]],
      // The console's actions: A is no operator, so they do not exist for A.
      refundPurchaseAction: [["/admin", { workspaceId: t.b.workspaceId, lotId: t.b.lotId, mode: "full", refundRequestId: requestKey() }]],
      adjustExtrasAction: [["/admin", { workspaceId: t.b.workspaceId, requestId: requestKey(), units: "100", memo: "from A" }]],
      extendTrialAction: [["/admin", { workspaceId: t.b.workspaceId, requestId: requestKey(), days: "7" }]],
      endTrialAction: [["/admin", { workspaceId: t.b.workspaceId }]],
      replayStripeEventAction: [["/admin", { eventId: "evt_from_a" }]],
      runInvariantCheckAction: [["/admin", {}]],
      resolveAlertAction: [["/admin", { alertId: "alert_from_a" }]],
      createEndpointAction: [["/admin/webhooks", { url: "https://a.example.test/hooks", eventTypes: "invoice.paid", requestId: requestKey() }]],
      setEndpointEnabledAction: [["/admin/webhooks", { endpointId: "we_000000000000000000000000", enabled: "false" }]],
      deleteEndpointAction: [["/admin/webhooks", { endpointId: "we_000000000000000000000000" }]],
      resendDeliveryAction: [["/admin/webhooks", { deliveryId: "whd_00000000000000000000000000000000", endpointId: "we_000000000000000000000000" }]],
      movePlanAction: [["/admin", { workspaceId: t.b.workspaceId, fromPlanId: t.b.planId, toPlanId: t.a.planId, requestId: requestKey() }]],
      cancelSubscriptionAction: [["/admin", { workspaceId: t.b.workspaceId, when: "now", requestId: requestKey() }]],
      setOverrideAction: [["/admin", { workspaceId: t.b.workspaceId, requestId: requestKey(), feature: "compute", limit: "999999", endsOn: "2030-01-01", memo: "from A" }]],
      endOverrideAction: [["/admin", { workspaceId: t.b.workspaceId, overrideId: "ovr_from_a" }]],
      planVersionAction: [["/admin/plans", { key: "free", basedOnPlanId: t.b.planId, intent: "publish", name: "Free for A", monthly: "0", annual: "0", trialDays: "0" }]],
      archivePlanAction: [["/admin/plans", { planId: t.b.planId }]],
      restorePlanAction: [["/admin/plans", { planId: t.b.planId }]],
      startMigrationAction: [["/admin/plans", { fromPlanId: t.b.planId, toPlanId: t.a.planId }]],
      runMigrationAction: [["/admin/plans", { migrationId: "mig_from_a" }]],
      addModelPriceAction: [["/admin/model-prices", { provider: "openai", model: "gpt-4o", input: "0", output: "0" }]],
      createPlatformKeyAction: [["/admin/platform-keys", { name: "from A" }]],
      revokePlatformKeyAction: [["/admin/platform-keys", { keyId: "pk_from_a" }]],
      autoTopUpAction: [[at("extras"), { slug: t.b.slug, enabled: "on", threshold: "10", pack: "compute_500", monthlyCap: "3" }]],
      inviteMemberAction: [[at("members"), { slug: t.b.slug, email: t.a.email, role: "OWNER" }]],
      resendInvitationAction: [[at("members"), { slug: t.b.slug, invitationId: t.b.invitationId }], [at("members"), { slug: t.a.slug, invitationId: t.b.invitationId }]],
      revokeInvitationAction: [[at("members"), { slug: t.b.slug, invitationId: t.b.invitationId }], [at("members"), { slug: t.a.slug, invitationId: t.b.invitationId }]],
      changeMemberAction: [[at("members"), { slug: t.b.slug, membershipId: t.b.ownerMembershipId, role: "REMOVE" }], [at("members"), { slug: t.a.slug, membershipId: t.b.membershipId, role: "OWNER" }]],
      startCheckoutAction: [[at("plans"), { slug: t.b.slug, plan: "pro", interval: "month", requestKey: requestKey() }]],
      startTrialAction: [[at("plans"), { slug: t.b.slug, plan: "pro" }]],
      upgradeNowAction: [[at("plans"), { slug: t.b.slug, plan: "max", interval: "month", requestKey: requestKey() }]],
      scheduleDowngradeAction: [[at("plans"), { slug: t.b.slug, plan: "free", interval: "month" }]],
      cancelScheduledChangeAction: [[at("plans"), { slug: t.b.slug }]],
      cancelAtPeriodEndAction: [[at("plans"), { slug: t.b.slug, cancel: "true" }]],
      openPortalAction: [[at("plans"), { slug: t.b.slug }]],
    };
    // Actions that take no workspace: covered by the framework-edge tests.
    // The invitation page's actions take a link's secret, not a workspace: covered by the invitation tests.
    // The account's own actions (verification, password reset and change, linking a provider) act only on the
    // signed-in user or the emailed token's user: tests/http/accounts.test.ts and tests/http/oauth-takeover.test.ts.
    // The invitation's act only on the link's invitation: tests/http/member-attacks.test.ts.
    const unscoped = [
      "signInAction", "signUpAction", "signOutAction", "oauthSignInAction",
      "verifyEmailAction", "requestPasswordResetAction", "resetPasswordAction",
      "resendVerificationAction", "changePasswordAction", "linkProviderAction",
      "acceptInvitationAction", "signUpAndAcceptAction", "switchAccountAction",
    ];
    // A new action fails here until it has a case: the manifest is the list of what can be posted.
    expect(Object.keys(ids).filter((n) => !unscoped.includes(n)).sort()).toEqual(Object.keys(cases).sort());

    for (const [name, calls] of Object.entries(cases)) {
      for (const [page, fields] of calls) {
        const r = await postAction(session, page, ids[name]!, fields);
        const label = `${name} ${JSON.stringify(fields)}`;
        // Refused as a form error (the action's own answer) or an error status; never a redirect to a checkout or portal.
        expect([200, 403, 404], `${label}: ${r.status}`).toContain(r.status);
        expect(r.headers["x-action-redirect"], label).toBeUndefined();
        if (r.status === 200) expect(r.text, label).toMatch(/"ok":false,"message":"(Workspace not found\.|API key not found\.|Member not found\.|Not found\.|[^"]*not found[^"]*)"/i);
        revealsNothingOfB(r, label);
      }
    }
    expect(await rowsOf(chaosDb(), t.b.workspaceId)).toEqual(before);
  });

  it("B's rows are unchanged after everything above", async () => {
    // The snapshot holds B's data of every kind, so an unchanged snapshot means something.
    expect(before.UsageEvent).toHaveLength(3);
    expect(before.LedgerEntry).toHaveLength(1);
    expect(before.Membership).toHaveLength(2);
    expect(before.ApiKey).toHaveLength(1);
    expect(before.User).toHaveLength(2);
    expect(await rowsOf(chaosDb(), t.b.workspaceId)).toEqual(before);
  });
});
