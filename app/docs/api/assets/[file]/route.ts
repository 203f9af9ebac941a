import { referenceAsset } from "@/lib/api-docs/reference";

// The API reference's files, from the installed swagger-ui-dist (the URL carries its version, so they are immutable).
export async function GET(_req: Request, ctx: { params: Promise<{ file: string }> }) {
  const asset = referenceAsset((await ctx.params).file);
  if (!asset) return new Response("Not found", { status: 404, headers: { "content-type": "text/plain; charset=utf-8" } });
  return new Response(new Uint8Array(asset.body), {
    headers: { "content-type": asset.type, "cache-control": "public, max-age=31536000, immutable" },
  });
}
