import { createDb } from "../lib/db";
import { seedCatalog } from "../lib/billing/plans";

const url = process.env.DATABASE_URL;
if (!url) throw new Error("DATABASE_URL is not set");
const db = createDb(url, 2);
const { plansCreated } = await seedCatalog(db);
console.log(`seeded catalog (${plansCreated} new plan versions)`);
await db.$disconnect();
