import pg from "pg";
import type { TestProject } from "vitest/node";
import { startEmbeddedPostgres, type EmbeddedPostgres } from "../../scripts/lib/pglite";
import { migrateDeploy } from "../../scripts/lib/migrate";

declare module "vitest" {
  export interface ProvidedContext {
    databaseUrls: string[];
    databaseEmbedded: boolean;
  }
}

/**
 * One migrated database per worker so test files can run in parallel without seeing each other's rows.
 * With DATABASE_URL (a real PostgreSQL): databases cloned from a migrated template on that server.
 * Without it: one in-memory PGlite server per worker.
 */
export default async function setup(project: TestProject) {
  const workers = Number(process.env.TEST_WORKERS ?? 2);
  const base = process.env.DATABASE_URL;
  if (base) {
    const urls = await cloneDatabases(base, workers);
    project.provide("databaseUrls", urls.map((u) => u.url));
    project.provide("databaseEmbedded", false);
    return async () => {
      const admin = await adminClient(base);
      for (const { name } of urls) await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      await admin.query(`DROP DATABASE IF EXISTS "${templateName(base)}" WITH (FORCE)`);
      await admin.end();
    };
  }
  const servers: EmbeddedPostgres[] = await Promise.all(Array.from({ length: workers }, () => startEmbeddedPostgres({ maxConnections: 50 })));
  await Promise.all(servers.map((s) => migrateDeploy(s.url)));
  project.provide("databaseUrls", servers.map((s) => s.url));
  project.provide("databaseEmbedded", true);
  return async () => {
    await Promise.all(servers.map((s) => s.stop()));
  };
}

async function adminClient(url: string) {
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  return admin;
}

async function cloneDatabases(base: string, workers: number) {
  const prefix = `${new URL(base).pathname.slice(1) || "tally"}_it`;
  const admin = await adminClient(base);
  const template = templateName(base);
  await admin.query(`DROP DATABASE IF EXISTS "${template}" WITH (FORCE)`);
  await admin.query(`CREATE DATABASE "${template}"`);
  await migrateDeploy(withDatabase(base, template));
  const urls: { name: string; url: string }[] = [];
  for (let i = 1; i <= workers; i++) {
    const name = `${prefix}_w${i}`;
    await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    await admin.query(`CREATE DATABASE "${name}" TEMPLATE "${template}"`);
    urls.push({ name, url: withDatabase(base, name) });
  }
  await admin.end();
  return urls;
}

function templateName(base: string) {
  return `${new URL(base).pathname.slice(1) || "tally"}_it_template`;
}

function withDatabase(url: string, name: string): string {
  const u = new URL(url);
  u.pathname = `/${name}`;
  return u.toString();
}
