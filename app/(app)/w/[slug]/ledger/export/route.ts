import { db } from "@/lib/db";
import { isAppError } from "@/lib/errors";
import { isLedgerKind } from "@/lib/billing-views/ledger";
import { ledgerCsv, ledgerCsvFileName } from "@/lib/billing-views/ledger-csv";
import { isSameSiteRead } from "@/lib/server/origin";
import { currentUserId } from "@/lib/server/session";
import { resolveWorkspaceAccess } from "@/lib/workspaces/access";
import { csvResponse } from "@/lib/server/csv-response";

export const dynamic = "force-dynamic";

/** The filtered ledger as CSV, streamed batch by batch so a workspace with years of entries downloads in constant memory. */
export async function GET(request: Request, { params }: { params: Promise<{ slug: string }> }) {
  const { slug } = await params;
  // The session cookie rides along on cross-site requests too; another site's script gets nothing.
  if (!isSameSiteRead(request.headers)) return Response.json({ error: { code: "forbidden", message: "Download the ledger from this site's pages." } }, { status: 403 });
  const userId = await currentUserId();
  if (!userId) return Response.json({ error: { code: "unauthenticated", message: "Sign in to download the ledger." } }, { status: 401 });
  let workspace;
  try {
    ({ workspace } = await resolveWorkspaceAccess(db(), { userId, workspace: { slug }, need: "read" }));
  } catch (e) {
    if (isAppError(e) && e.code === "not_found") return Response.json({ error: { code: "not_found", message: "Workspace not found." } }, { status: 404 });
    throw e;
  }
  const kindParams = new URL(request.url).searchParams.getAll("kind").filter((k) => k !== "");
  if (!kindParams.every(isLedgerKind)) return Response.json({ error: { code: "invalid_request", message: "Unknown ledger kind." } }, { status: 400 });
  const kinds = kindParams.filter(isLedgerKind);
  const lines = ledgerCsv(db(), { workspaceId: workspace.id, kinds });
  return csvResponse(lines, ledgerCsvFileName(workspace.slug, kinds));
}
