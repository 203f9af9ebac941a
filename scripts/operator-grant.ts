// `npm run operator:grant -- <email> [--revoke]`: gives a user the operator role (the console at /admin),
// or takes it away. The user signs up first. Uses DATABASE_URL.
import { createDb } from "../lib/db";
import { setOperator } from "../lib/admin/operators";
import { loadEnvFiles } from "./lib/load-env";

loadEnvFiles();
const args = process.argv.slice(2);
const email = args.find((a) => !a.startsWith("--"));
const revoke = args.includes("--revoke");
if (!email || !process.env.DATABASE_URL) {
  console.error("usage: DATABASE_URL=postgresql://... npm run operator:grant -- <email> [--revoke]");
  process.exit(2);
}
const db = createDb(process.env.DATABASE_URL, 1);
try {
  const op = await setOperator(db, email, !revoke);
  console.log(revoke ? `${op.email} is no longer an operator.` : `${op.email} is now an operator: the console is at /admin.`);
} catch (e) {
  console.error((e as Error).message);
  process.exitCode = 1;
} finally {
  await db.$disconnect();
}
