// A deploy whose Stripe account lacks the catalog: `npm start` on production-shaped variables (real-looking
// key and secrets, STRIPE_AUTOMATIC_TAX unset) against a Stripe account that has no prices, no portal
// configuration and no Stripe Tax. The first checkout must work as soon as the reconcile cron has run.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDb } from "@/lib/db";
import type { PrismaClient } from "@/lib/generated/prisma/client";
import { registerUser } from "@/lib/auth/users";
import { FRESH_ACCOUNT, startStripeEmulator, type StripeEmulatorHandle } from "@tally/stripe-emulator";
import { CARDS, payOnHostedPage } from "@tally/stripe-emulator/testing";
import { actionIds, postAction, signIn, type Session } from "../chaos/session";
import { createClient } from "./client";
import { startAppServer, type AppServer } from "./server";

const SECRETS = {
  STRIPE_SECRET_KEY: `sk_test_${"51TallyDeployCheck".padEnd(32, "x")}`,
  STRIPE_WEBHOOK_SECRET: `whsec_${"D".repeat(32)}`,
  CRON_SECRET: "deploy-cron-secret-0123456789abcdefgh",
  AUTH_SECRET: "deploy-auth-secret-0123456789abcdefgh",
};
const PASSWORD = "correct-horse-battery-staple";

let emulator: StripeEmulatorHandle;
let app: AppServer;
let db: PrismaClient;
let owner: Session;
let slug: string;
let workspaceId: string;

beforeAll(async () => {
  emulator = await startStripeEmulator({ port: 0, webhookSecret: SECRETS.STRIPE_WEBHOOK_SECRET, account: FRESH_ACCOUNT, retryDelaysMs: [200, 1000], tickMs: 0, log: () => {} });
  app = await startAppServer({ databaseSuffix: "http_deploy", log: "test-results/http-deploy-server.log", env: { ...SECRETS, STRIPE_API_BASE: emulator.url, STRIPE_AUTOMATIC_TAX: "" } });
  // The account's one webhook endpoint points at the deployed app (as stripe:setup or the Dashboard would make it).
  emulator.setWebhookUrl(`${app.baseUrl}/api/webhooks/stripe`);
  db = createDb(app.databaseUrl, 2);
  const email = `deploy-${crypto.randomUUID().slice(0, 8)}@example.test`;
  const registered = await registerUser(db, { email, password: PASSWORD, name: "Deploy", workspace: "Deploy check", emailVerified: new Date() });
  slug = registered.workspace.slug;
  workspaceId = registered.workspace.id;
  owner = await signIn(app.baseUrl, email, PASSWORD);
});

afterAll(async () => {
  owner?.close();
  await db?.$disconnect();
  await app?.stop();
  await emulator?.stop();
});

const checkout = () => postAction(owner, `/w/${slug}/plans`, actionIds().startCheckoutAction!, { slug, plan: "pro", interval: "month", requestKey: `req_${crypto.randomUUID().replaceAll("-", "")}` });

describe("npm start with the catalog missing on the Stripe side", () => {
  it("answers the first checkout with Stripe's hosted page once the reconcile cron has run, and the subscription starts", async () => {
    expect((await emulator.emulator.store.prices.size)).toBe(0);
    const before = await checkout();
    expect(before.text).toContain("Prices are not synced to Stripe yet");

    const http = createClient(app.baseUrl, 2);
    const cron = await http.request("/api/cron/reconcile", { headers: { authorization: `Bearer ${SECRETS.CRON_SECRET}` } });
    http.close();
    expect(cron.status).toBe(200);
    const priced = (await db.plan.count({ where: { active: true, monthlyPriceCents: { gt: 0 } } })) * 2 + (await db.extrasPack.count({ where: { active: true } }));
    expect(cron.json.catalog).toEqual({ found: 0, created: priced });

    const after = await checkout();
    const redirect = after.headers["x-action-redirect"];
    expect(after.text).not.toContain("Prices are not synced");
    expect(redirect).toMatch(new RegExp(`^${emulator.url}/checkout/cs_test_`));
    const checkoutUrl = String(redirect).split(";")[0]!;
    const session = emulator.emulator.store.checkoutSessions.get(checkoutUrl.split("/").pop()!)!;
    // Stripe Tax is not active on this account: STRIPE_AUTOMATIC_TAX=auto leaves it off, so Stripe takes the checkout.
    expect((session.automatic_tax as { enabled: boolean }).enabled).toBe(false);

    const paid = await payOnHostedPage(checkoutUrl, CARDS.ok);
    expect(paid.status).toBe(303);
    const success = paid.headers.get("location")!;
    expect(success).toContain(`${app.baseUrl}/w/${slug}/billing?checkout=success&session_id=cs_test_`);
    const page = await owner.request(success.slice(app.baseUrl.length));
    expect(page.status).toBe(200);
    const sub = await db.subscription.findUniqueOrThrow({ where: { workspaceId }, include: { plan: true } });
    expect([sub.plan.key, sub.status]).toEqual(["pro", "active"]);
    await emulator.idle();
  });
});
