// An endpoint answering 500 is retried with backoff (the sender's clock moved, no sleeps) until it gives up after
// 3 days; the console then shows the endpoint disabled with why, each attempt, and the overview's figure.
import { afterAll, expect, it } from "vitest";
import { registerUser } from "@/lib/auth/users";
import { nextDelay, runDeliveries } from "@/lib/webhooks/deliver";
import { createEndpoint } from "@/lib/webhooks/endpoints";
import { signIn } from "../chaos/session";
import { startReceiver } from "../helpers/webhook-receiver";
import { baseUrl, closeAll, testDb, uid } from "./helpers";

const PASSWORD = "correct-horse-battery";
const cleanup: (() => Promise<unknown>)[] = [];
afterAll(async () => {
  for (const c of cleanup.reverse()) await c().catch(() => undefined);
  await closeAll();
});

it("retries a failing endpoint with backoff, disables it after 3 days, and the console shows it to operators only", async () => {
  const db = testDb();
  const op = await registerUser(db, { email: `ops-${uid()}@example.test`, password: PASSWORD, name: "Ops", workspace: "Ops" });
  await db.user.update({ where: { id: op.user.id }, data: { operator: true } });
  const customer = await registerUser(db, { email: `customer-${uid()}@example.test`, password: PASSWORD, name: "Customer", workspace: "Customer" });

  const receiver = await startReceiver({ status: 500, verifyTimestamp: false });
  cleanup.push(() => receiver.close());
  // A type no other test writes, so this endpoint hears only its own event.
  const { endpoint, secret } = await createEndpoint(db, { id: op.user.id, email: op.user.email }, { url: receiver.url, eventTypes: ["subscription.trial_will_end"] });
  cleanup.push(() => db.webhookEndpoint.deleteMany({ where: { id: endpoint.id } }));
  receiver.state.secret = secret;
  await db.$executeRaw`SELECT tally_webhook_emit(${customer.workspace.id}, 'subscription.trial_will_end', '{"trialEndsAt": null}'::jsonb)`;
  const delivery = await db.webhookDelivery.findFirstOrThrow({ where: { endpointId: endpoint.id } });

  let clock = Date.now();
  for (let i = 0; i < 40; i++) {
    const d = await db.webhookDelivery.findUniqueOrThrow({ where: { id: delivery.id } });
    if (d.status !== "pending") break;
    // The server's own sender may have made an attempt already: follow the delivery's schedule from where it is.
    clock = Math.max(clock, d.nextAttemptAt!.getTime());
    await runDeliveries(db, { now: () => new Date(clock) });
  }
  // Each wait is the backoff of its attempt: 5 s, 5 min, 30 min, 2 h, 5 h, then 10 h.
  const attempts = await db.webhookAttempt.findMany({ where: { deliveryId: delivery.id }, orderBy: { attemptedAt: "asc" } });
  expect(attempts.length).toBeGreaterThanOrEqual(10);
  const gaps = attempts.map((a) => (a.nextAttemptAt ? a.nextAttemptAt.getTime() - a.attemptedAt.getTime() : null));
  expect(gaps).toEqual(attempts.map((_, i) => (i === attempts.length - 1 ? null : nextDelay(i + 1))));
  const ep = await db.webhookEndpoint.findUniqueOrThrow({ where: { id: endpoint.id } });
  expect(ep.enabled).toBe(false);
  expect(receiver.state.hits).toBeGreaterThanOrEqual(10);

  const session = await signIn(baseUrl, op.user.email, PASSWORD);
  cleanup.push(async () => session.close());
  const list = await session.request("/admin/webhooks");
  expect(list.status).toBe(200);
  expect(list.text).toContain(receiver.url);
  expect(list.text).toContain("Disabled: Deliveries failed for 3 days");
  const detail = await session.request(`/admin/webhooks/${endpoint.id}`);
  expect(detail.status).toBe(200);
  expect(detail.text).toContain("Gave up");
  expect(detail.text.match(/data-testid="webhook-attempt"/g)?.length).toBe(receiver.state.hits);
  expect(detail.text).toContain("HTTP 500");
  const overview = await session.request("/admin");
  expect(overview.text).toContain("Outgoing deliveries failing");
  expect(overview.text).toContain(`Webhook endpoint ${receiver.url} was disabled`);

  const other = await signIn(baseUrl, customer.user.email, PASSWORD);
  cleanup.push(async () => other.close());
  for (const path of ["/admin/webhooks", `/admin/webhooks/${endpoint.id}`]) expect((await other.request(path)).status, path).toBe(404);
}, 120_000);
