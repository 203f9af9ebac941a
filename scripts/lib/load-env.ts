import fs from "node:fs";

/** Loads .env.local then .env into process.env without overriding what is already set (as Next does). */
export function loadEnvFiles(): void {
  for (const file of [".env.local", ".env"]) if (fs.existsSync(file)) process.loadEnvFile(file);
}
