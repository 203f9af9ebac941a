import "./env";
import type { TestProject } from "vitest/node";
import { createDb } from "../../lib/db";
import { createStripeClient, syncStripeCatalog } from "../../lib/stripe";
import { startStripeEmulator } from "@tally/stripe-emulator";
import { pickPort, startAppServer, type AppServer } from "../http/server";
import { CHAOS_PORTS } from "./env";

declare module "vitest" {
  export interface ProvidedContext {
    chaosA: string;
    chaosB: string;
    chaosDatabaseUrl: string;
    chaosStripeUrl: string;
  }
}

/**
 * Two production instances of the app on one database (the deployment the design allows: no state in
 * process memory), and a Stripe emulator of their own. Tests that stop a database start their own.
 */
export default async function setup(project: TestProject) {
  const emulator = await startStripeEmulator({
    port: await pickPort(CHAOS_PORTS),
    webhookSecret: process.env.STRIPE_WEBHOOK_SECRET!,
    retryDelaysMs: [500, 1_000, 2_000],
    tickMs: 0,
    log: () => {},
  });
  const env = { STRIPE_API_BASE: emulator.url };
  const servers: AppServer[] = [];
  const stopAll = async () => {
    for (const s of servers.reverse()) await s.stop();
    await emulator.stop();
  };
  try {
    const a = await startAppServer({ databaseSuffix: "chaos", portRange: CHAOS_PORTS, env, log: "test-results/chaos-a.log" });
    servers.push(a);
    const b = await startAppServer({ databaseSuffix: "chaos", databaseUrl: a.databaseUrl, portRange: CHAOS_PORTS, env, log: "test-results/chaos-b.log" });
    servers.push(b);
    emulator.setWebhookUrl(`${a.baseUrl}/api/webhooks/stripe`);
    const db = createDb(a.databaseUrl, 2);
    await syncStripeCatalog(db, createStripeClient({ secretKey: "sk_test_emulator", apiBase: emulator.url }));
    await db.$disconnect();
    project.provide("chaosA", a.baseUrl);
    project.provide("chaosB", b.baseUrl);
    project.provide("chaosDatabaseUrl", a.databaseUrl);
    project.provide("chaosStripeUrl", emulator.url);
  } catch (e) {
    await stopAll();
    throw e;
  }
  return stopAll;
}
