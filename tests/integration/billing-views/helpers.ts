import { closeTestDb, testDb } from "../billing/helpers";
import type { PrismaClient } from "@/lib/generated/prisma/client";
import { seedCatalog } from "@/lib/billing/plans";
import { createWorkspace } from "@/lib/workspaces/create-workspace";
import { withoutSeatClaims } from "../../helpers/seats";

// The billing tests' client: one connection on PGlite, which serves one connection at a time (see POOL
// there), many on PostgreSQL.
export const viewsDb: () => PrismaClient = testDb;
export const closeViewsDb = closeTestDb;

let seeded: Promise<unknown> | undefined;
export const uid = () => crypto.randomUUID().slice(0, 8);

/** A fresh workspace on the Free plan with its extras account, as sign-up makes it. */
export async function newWorkspace(label = "views") {
  const db = viewsDb();
  await (seeded ??= seedCatalog(db));
  const user = await db.user.create({ data: { email: `${label}-${uid()}@example.test` } });
  const ws = await createWorkspace(db, { name: `${label} ${uid()}`, ownerId: user.id });
  await withoutSeatClaims(db, ws.id);
  return ws;
}

/** Minimal RFC 4180 reader for checking what the exporter wrote. */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = "";
  let quoted = false;
  const endField = () => {
    row.push(field);
    field = "";
  };
  const endRow = () => {
    endField();
    rows.push(row);
    row = [];
  };
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ",") endField();
    else if (c === "\r" && text[i + 1] === "\n") {
      endRow();
      i++;
    } else field += c;
  }
  if (field !== "" || row.length) endRow();
  return rows;
}
