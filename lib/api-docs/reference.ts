// The API reference at /docs/api: Swagger UI reading /api/v1/openapi.json. Its files come from the
// swagger-ui-dist package and are served by the app itself (no CDN, so it works offline and under the
// site's Content-Security-Policy), and only this page loads them: the other pages' JavaScript is unchanged.
import fs from "node:fs";
import path from "node:path";

/** The files of swagger-ui-dist the page loads, with their content types. */
export const REFERENCE_ASSETS: Record<string, string> = {
  "swagger-ui-bundle.js": "text/javascript; charset=utf-8",
  "swagger-ui.css": "text/css; charset=utf-8",
  "favicon-32x32.png": "image/png",
};

const DIST = path.join(process.cwd(), "node_modules", "swagger-ui-dist");
const cache = new Map<string, Buffer>();

/** One of REFERENCE_ASSETS, read once per process; null for any other name. */
export function referenceAsset(name: string): { body: Buffer; type: string } | null {
  if (!Object.hasOwn(REFERENCE_ASSETS, name)) return null;
  let body = cache.get(name);
  if (!body) {
    body = fs.readFileSync(path.join(DIST, name));
    cache.set(name, body);
  }
  return { body, type: REFERENCE_ASSETS[name]! };
}

/** The version of swagger-ui-dist, put in the assets' URLs so a new version is never served from a stale cache. */
export function referenceVersion(): string {
  return (JSON.parse(fs.readFileSync(path.join(DIST, "package.json"), "utf8")) as { version: string }).version;
}

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** The page: Swagger UI, its "Try it out" against this origin, nothing fetched from anywhere else. */
export function referencePage(opts: { version: string; title: string }): string {
  const asset = (name: string) => `/docs/api/assets/${name}?v=${encodeURIComponent(opts.version)}`;
  // validatorUrl: null stops Swagger UI from sending the document to its online validator.
  const init = `window.addEventListener("load", function () {
  window.ui = SwaggerUIBundle({
    url: "/api/v1/openapi.json",
    dom_id: "#reference",
    deepLinking: true,
    validatorUrl: null,
    tryItOutEnabled: false,
    defaultModelsExpandDepth: 1,
    docExpansion: "list"
  });
});`;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(opts.title)}</title>
<link rel="icon" type="image/png" href="${asset("favicon-32x32.png")}">
<link rel="stylesheet" href="${asset("swagger-ui.css")}">
<style>
  body { margin: 0; font-family: system-ui, sans-serif; }
  .site { display: flex; gap: 1rem; align-items: baseline; padding: 0.75rem 1.25rem; border-bottom: 1px solid #e5e7eb; }
  .site a { color: #111827; text-decoration: none; font-weight: 600; }
  .site span { color: #4b5563; font-size: 0.9rem; }
  .swagger-ui .topbar { display: none; }
  noscript p { padding: 1.25rem; }
</style>
</head>
<body>
<header class="site"><a href="/">Tally</a><span>API reference</span><span><a href="/api/v1/openapi.json">openapi.json</a></span></header>
<main id="reference"><noscript><p>This reference needs JavaScript; the document itself is at <a href="/api/v1/openapi.json">/api/v1/openapi.json</a>.</p></noscript></main>
<script src="${asset("swagger-ui-bundle.js")}"></script>
<script>${init}</script>
</body>
</html>`;
}
