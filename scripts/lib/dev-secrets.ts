import { randomBytes } from "node:crypto";
import fs from "node:fs";
import path from "node:path";

const SECRETS = ["AUTH_SECRET", "CRON_SECRET", "STRIPE_WEBHOOK_SECRET"] as const;

/**
 * Development only: fills in missing secrets with local values, kept in .data/dev-secrets.json so
 * sessions and webhook signatures survive restarts. Production never gets here (env validation refuses).
 */
export function ensureDevSecrets(dataDir: string): string[] {
  const file = path.join(dataDir, "dev-secrets.json");
  const stored: Record<string, string> = fs.existsSync(file) ? JSON.parse(fs.readFileSync(file, "utf8")) : {};
  const generated: string[] = [];
  for (const name of SECRETS) {
    if (process.env[name]) continue;
    stored[name] ??= name === "STRIPE_WEBHOOK_SECRET" ? `whsec_${randomBytes(24).toString("hex")}` : randomBytes(32).toString("base64url");
    process.env[name] = stored[name];
    generated.push(name);
  }
  fs.mkdirSync(dataDir, { recursive: true });
  fs.writeFileSync(file, JSON.stringify(stored, null, 2), { mode: 0o600 });
  return generated;
}
