import { inject } from "vitest";

// Runs in each worker before its test files: point the app's env at this worker's own database.
const urls = inject("databaseUrls");
const worker = Number(process.env.VITEST_POOL_ID ?? 1);
process.env.DATABASE_URL = urls[(worker - 1) % urls.length];
// The embedded PGlite server runs all connections in one session, one at a time: one connection.
process.env.DATABASE_POOL_MAX ??= inject("databaseEmbedded") ? "1" : "20";
process.env.AUTH_SECRET ??= "test-auth-secret-0123456789abcdef";
process.env.CRON_SECRET ??= "test-cron-secret-0123456789abcdef";
process.env.STRIPE_WEBHOOK_SECRET ??= "whsec_test_0123456789abcdef";

// The books hold after every test file (books-hold.ts registers the check around each file).
await import("./books-hold");
