import { startMailServer } from "../tests/helpers/mailbox";

// Runs after Playwright started the app (webServer), which already sends to smtp://127.0.0.1:<E2E_SMTP_PORT>:
// the app only connects when it sends, so the server needs to be up before the first test, not before the app.
export default async function globalSetup() {
  // Both set by playwright.config.ts.
  const mail = await startMailServer({ port: Number(process.env.E2E_SMTP_PORT), dir: process.env.E2E_MAIL_DIR! });
  return () => mail.stop();
}
