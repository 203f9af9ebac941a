import type { TestProject } from "vitest/node";
import { startAppServer } from "./server";

declare module "vitest" {
  export interface ProvidedContext {
    httpBaseUrl: string;
    httpDatabaseUrl: string;
  }
}

/** One production server for every HTTP test file; each test seeds workspaces of its own. */
export default async function setup(project: TestProject) {
  const server = await startAppServer({ databaseSuffix: "http" });
  project.provide("httpBaseUrl", server.baseUrl);
  project.provide("httpDatabaseUrl", server.databaseUrl);
  return () => server.stop();
}
