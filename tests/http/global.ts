import type { TestProject } from "vitest/node";
import path from "node:path";
import { startMailServer } from "../helpers/mailbox";
import { startAppServer } from "./server";

declare module "vitest" {
  export interface ProvidedContext {
    httpBaseUrl: string;
    httpDatabaseUrl: string;
    /** Where the test SMTP server writes what the app sends (read it with openMailbox). */
    httpMailDir: string;
  }
}

/** One production server for every HTTP test file, sending its mail to a test SMTP server; each test seeds workspaces of its own. */
export default async function setup(project: TestProject) {
  const mail = await startMailServer({ dir: path.resolve(import.meta.dirname, "../../test-results/http-mail") });
  const server = await startAppServer({ databaseSuffix: "http", env: { SMTP_URL: mail.url } });
  project.provide("httpBaseUrl", server.baseUrl);
  project.provide("httpDatabaseUrl", server.databaseUrl);
  project.provide("httpMailDir", mail.dir!);
  return async () => {
    await server.stop();
    await mail.stop();
  };
}
