import path from "node:path";
import { defineConfig } from "vitest/config";

const alias = { "@": path.resolve(import.meta.dirname) };
const workers = Number(process.env.TEST_WORKERS ?? 2);

export default defineConfig({
  resolve: { alias },
  test: {
    projects: [
      // The Stripe emulator's own tests, from its package's config.
      "packages/stripe-emulator",
      {
        resolve: { alias },
        test: {
          name: "unit",
          include: ["lib/**/*.test.ts", "scripts/**/*.test.ts", "packages/**/*.test.ts"],
          environment: "node",
        },
      },
      {
        resolve: { alias },
        test: {
          name: "integration",
          include: ["tests/**/*.test.ts"],
          exclude: ["tests/http/**", "tests/chaos/**"],
          environment: "node",
          globalSetup: ["tests/setup/global.ts"],
          setupFiles: ["tests/setup/worker.ts"],
          maxWorkers: workers,
          testTimeout: 60_000,
          hookTimeout: 120_000,
        },
      },
      {
        resolve: { alias },
        test: {
          // Against a built app under `npm start` (tests/http/global.ts starts and stops it): run after the build.
          name: "http",
          include: ["tests/http/**/*.test.ts"],
          environment: "node",
          globalSetup: ["tests/http/global.ts"],
          maxWorkers: 1,
          testTimeout: 120_000,
          hookTimeout: 300_000,
        },
      },
      {
        resolve: { alias },
        test: {
          // Breaks things on purpose against built servers (tests/chaos/global.ts starts two; some files
          // start their own on a cluster they stop): one file at a time, so outages never overlap.
          name: "chaos",
          include: ["tests/chaos/**/*.test.ts"],
          environment: "node",
          globalSetup: ["tests/chaos/global.ts"],
          maxWorkers: 1,
          fileParallelism: false,
          testTimeout: 180_000,
          hookTimeout: 300_000,
        },
      },
    ],
  },
});
