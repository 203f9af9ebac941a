import { referencePage, referenceVersion } from "@/lib/api-docs/reference";

// A plain HTML document rather than a React page, so the reference's bundle never joins the app's own JavaScript.
export function GET() {
  return new Response(referencePage({ version: referenceVersion(), title: "Tally API reference" }), {
    headers: { "content-type": "text/html; charset=utf-8", "cache-control": "public, max-age=300" },
  });
}
