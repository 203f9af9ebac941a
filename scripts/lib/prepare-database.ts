import { createDb } from "../../lib/db";
import { seedCatalog } from "../../lib/billing/plans";
import { registerUser } from "../../lib/auth/users";
import { migrateDeploy } from "./migrate";

export const DEMO_LOGIN = { email: "demo@tally.local", password: "tally-demo-2026" };

/** Applies migrations, seeds the catalog, and makes sure the demo login exists. */
export async function prepareDatabase(url: string): Promise<{ demoCreated: boolean }> {
  migrateDeploy(url);
  const db = createDb(url, 2);
  try {
    await seedCatalog(db);
    const exists = await db.user.findUnique({ where: { email: DEMO_LOGIN.email } });
    if (!exists) await registerUser(db, { ...DEMO_LOGIN, name: "Demo Owner", workspace: "Demo Workspace" });
    return { demoCreated: !exists };
  } finally {
    await db.$disconnect();
  }
}
