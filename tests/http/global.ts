import type { TestProject } from "vitest/node";
import path from "node:path";
import { startMailServer } from "../helpers/mailbox";
import { startFakeOidc } from "../helpers/fake-oidc";
import { startAppServer } from "./server";

declare module "vitest" {
  export interface ProvidedContext {
    httpBaseUrl: string;
    httpDatabaseUrl: string;
    /** Where the test SMTP server writes what the app sends (read it with openMailbox). */
    httpMailDir: string;
    /** A local OpenID Connect provider the app's Google sign-in is pointed at (tests/helpers/fake-oidc.ts). */
    httpOidcIssuer: string;
  }
}

/**
 * One production server for every HTTP test file, sending its mail to a test SMTP server and signing in with
 * "Google" at a local OpenID Connect provider; each test seeds workspaces of its own.
 */
export default async function setup(project: TestProject) {
  const mail = await startMailServer({ dir: path.resolve(import.meta.dirname, "../../test-results/http-mail") });
  const oidc = await startFakeOidc();
  const server = await startAppServer({
    databaseSuffix: "http",
    env: { ALLOWED_REDIRECT_ORIGINS: "https://app.integrator.test", SMTP_URL: mail.url, AUTH_GOOGLE_ID: oidc.clientId, AUTH_GOOGLE_SECRET: oidc.clientSecret, AUTH_GOOGLE_ISSUER: oidc.issuer },
  });
  project.provide("httpBaseUrl", server.baseUrl);
  project.provide("httpDatabaseUrl", server.databaseUrl);
  project.provide("httpMailDir", mail.dir!);
  project.provide("httpOidcIssuer", oidc.issuer);
  return async () => {
    await server.stop();
    await mail.stop();
    await oidc.stop();
  };
}
