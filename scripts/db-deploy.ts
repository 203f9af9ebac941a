// npm run db:deploy: the migrations, then the billing engine's database functions (see scripts/lib/migrate.ts).
import { migrateDeploy } from "./lib/migrate";

const url = process.env.DATABASE_URL;
if (!url) {
  console.error("DATABASE_URL is not set: the database to deploy to.");
  process.exit(2);
}
await migrateDeploy(url);
console.log("migrations and billing functions applied");
