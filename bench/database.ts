import pg from "pg";
import { migrateDeploy } from "../scripts/lib/migrate";
import { startEmbeddedPostgres } from "../scripts/lib/pglite";

export interface BenchDatabase {
  url: string;
  /** Where the figures come from: "postgresql" or "pglite" (embedded; figures are indicative only). */
  kind: "postgresql" | "pglite";
  drop(): Promise<void>;
}

/**
 * A migrated database of the bench's own, so a run never touches anyone's data: a fresh database on the
 * server of DATABASE_URL (named after it, `<name>_bench_<random>`), or an embedded PGlite when unset.
 */
export async function benchDatabase(): Promise<BenchDatabase> {
  const base = process.env.DATABASE_URL;
  if (!base) {
    const server = await startEmbeddedPostgres({ maxConnections: 64 });
    await migrateDeploy(server.url);
    return { url: server.url, kind: "pglite", drop: () => server.stop() };
  }
  const name = `${new URL(base).pathname.slice(1) || "tally"}_bench_${crypto.randomUUID().slice(0, 8)}`;
  const admin = new pg.Client({ connectionString: base });
  await admin.connect();
  await admin.query(`CREATE DATABASE "${name}"`);
  await admin.end();
  const u = new URL(base);
  u.pathname = `/${name}`;
  const url = u.toString();
  const drop = async () => {
    const a = new pg.Client({ connectionString: base });
    await a.connect();
    await a.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    await a.end();
  };
  try {
    await migrateDeploy(url);
  } catch (e) {
    await drop();
    throw e;
  }
  return { url, kind: "postgresql", drop };
}
