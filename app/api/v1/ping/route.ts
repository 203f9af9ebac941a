import { json } from "@/lib/api/respond";

// The framework's own ceiling for the benchmark: a route handler that touches nothing.
export const dynamic = "force-dynamic";

export function GET() {
  return json({ ok: true });
}
