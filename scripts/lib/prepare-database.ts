import { createDb } from "../../lib/db";
import { seedCatalog } from "../../lib/billing/plans";
import { registerUser } from "../../lib/auth/users";
import { migrateDeploy } from "./migrate";

export const DEMO_LOGIN = { email: "demo@tally.local", password: "tally-demo-2026" };

/** Applies migrations, seeds the catalog, and in development makes sure the demo login exists. */
export async function prepareDatabase(url: string, opts: { demoLogin: boolean }): Promise<{ demoCreated: boolean }> {
  // A known password on an owner account: never anywhere but a developer's machine.
  const demoLogin = opts.demoLogin && (process.env.NODE_ENV ?? "development") === "development";
  await migrateDeploy(url);
  const db = createDb(url, 2);
  try {
    await seedCatalog(db);
    if (!demoLogin) return { demoCreated: false };
    const exists = await db.user.findUnique({ where: { email: DEMO_LOGIN.email } });
    if (!exists) await registerUser(db, { ...DEMO_LOGIN, name: "Demo Owner", workspace: "Demo Workspace", emailVerified: new Date() });
    // In development the demo login is also an operator, so the console at /admin can be tried at once.
    await db.user.update({ where: { email: DEMO_LOGIN.email }, data: { operator: true } });
    return { demoCreated: !exists };
  } finally {
    await db.$disconnect();
  }
}
