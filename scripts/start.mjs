// npm start: the production server on a Node host (`npm run build` first). Pages, auth, the Stripe webhook and
// the cron routes are Next's, through its custom-server API. The metering and platform API (/api/v1/...) goes
// from node:http straight to the API's routing table in the same build (lib/api/router.ts, compiled as the
// catch-all route pages/api/v1/[...path].ts), with the security headers the build baked for every path: Next's
// own routing of a request cost more CPU than the metering request itself (README, "Machines' routes").
// On Vercel, and under `next dev`, the same router is reached through that catch-all route.
// Flags (as `next start` names them): --port/-p (default $PORT or 3000), --hostname/-H (default: every
// interface), --keepAliveTimeout (ms). SIGTERM and SIGINT let requests in flight finish, then exit.
import fs from "node:fs";
import http from "node:http";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";

// As `next start` does: unset means production. The app's bundles have it inlined at build; Next's own server
// code reads it at run time, so it is set before Next is loaded.
process.env.NODE_ENV ||= "production";
const { default: next } = await import("next");

const { values } = parseArgs({
  options: { port: { type: "string", short: "p" }, hostname: { type: "string", short: "H" }, keepAliveTimeout: { type: "string" } },
});
const port = Number(values.port ?? process.env.PORT ?? 3000);
const hostname = values.hostname;
const dir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const distDir = path.join(dir, process.env.NEXT_DIST_DIR || ".next");
const apiModule = path.join(distDir, "server/pages/api/v1/[...path].js");
if (!fs.existsSync(apiModule)) {
  console.error(`npm start: no build of this version in ${distDir} (${path.relative(dir, apiModule)} is missing); run npm run build first.`);
  process.exit(1);
}

const app = next({ dev: false, dir, hostname, port });
// Loads the environment files and runs instrumentation.ts (a bad environment stops start-up here).
await app.prepare();
const handle = app.getRequestHandler();

const require = createRequire(import.meta.url);
const apiRouter = (await require(apiModule)).default;
const headerRules = JSON.parse(fs.readFileSync(path.join(distDir, "routes-manifest.json"), "utf8")).headers.map((rule) => ({
  regex: new RegExp(rule.regex),
  headers: rule.headers,
}));

const server = http.createServer((req, res) => {
  const pathname = (req.url ?? "/").split("?", 1)[0];
  // Paths Next redirects (a trailing slash, an empty segment, a backslash) are left to it, as for every route.
  if (!pathname.startsWith("/api/v1/") || pathname.endsWith("/") || pathname.includes("//") || pathname.includes("\\")) return void handle(req, res);
  for (const rule of headerRules) if (rule.regex.test(pathname)) for (const h of rule.headers) res.setHeader(h.key, h.value);
  apiRouter(req, res).catch((e) => {
    console.error("[api] unexpected error:", e);
    if (!res.headersSent) res.writeHead(500, { "content-type": "application/json; charset=utf-8" });
    res.end('{"error":{"code":"internal_error","message":"Something went wrong on our side; retry the request."}}');
  });
});
if (values.keepAliveTimeout) server.keepAliveTimeout = Number(values.keepAliveTimeout);
// Next's listeners only log uncaught errors; a server that cannot listen must not stay up serving nothing.
server.on("error", (e) => {
  console.error(`npm start: ${e.message}`);
  process.exit(1);
});
server.listen(port, hostname, () => console.log(`Ready on http://${hostname ?? "localhost"}:${port}`));
// Idle connections close at once; requests in flight are answered first (the process manager's own timeout bounds it).
for (const signal of ["SIGTERM", "SIGINT"]) {
  process.once(signal, () => server.close(() => void app.close().finally(() => process.exit(0))));
}
