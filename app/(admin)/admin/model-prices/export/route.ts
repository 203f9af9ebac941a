import { recordAudit } from "@/lib/admin/audit";
import { costCsv, monthRange } from "@/lib/admin/finance";
import { db } from "@/lib/db";
import { isAppError } from "@/lib/errors";
import { isSameSiteRead } from "@/lib/server/origin";
import { currentOperator } from "@/lib/server/operator";
import { csvResponse } from "@/lib/server/csv-response";

export const dynamic = "force-dynamic";

const notFound = () => Response.json({ error: { code: "not_found", message: "Not found." } }, { status: 404 });

/** Finance's cost-against-units CSV for a range of months, streamed a batch of workspaces at a time. Operators only (404 to anyone else). */
export async function GET(request: Request) {
  const op = await currentOperator();
  if (!op) return notFound();
  if (!isSameSiteRead(request.headers)) return Response.json({ error: { code: "forbidden", message: "Download the export from the console." } }, { status: 403 });
  const params = new URL(request.url).searchParams;
  let range;
  try {
    range = monthRange((params.get("from") ?? "").trim(), (params.get("to") ?? "").trim() || undefined);
  } catch (e) {
    if (isAppError(e)) return Response.json(e.toJSON(), { status: e.status });
    throw e;
  }
  // Who took the books out, and which months.
  await recordAudit(db(), { kind: "operator", id: op.id, email: op.email }, { action: "finance.exported", after: { from: range.from, to: range.to } });
  const lines = costCsv(db(), range);
  return csvResponse(lines, `cost-vs-units-${range.label}.csv`);
}
