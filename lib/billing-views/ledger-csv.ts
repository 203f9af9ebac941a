import type { Client } from "@/lib/db";
import type { LedgerKind } from "@/lib/generated/prisma/client";
import { ledgerEntries, type LedgerRow } from "./ledger";

export const LEDGER_CSV_HEADER = ["entry_id", "created_at", "seq", "kind", "units", "balance_after", "cause_type", "cause_id", "lot_id", "memo"] as const;

/**
 * One CSV field (RFC 4180): quoted when it holds a comma, quote or line break, quotes doubled.
 * Free text that a spreadsheet would run as a formula (=, +, -, @ first) is prefixed with an apostrophe;
 * amounts are written by us as plain decimals and are never prefixed, so "-5" stays a number.
 */
export function csvField(value: string, opts: { text?: boolean } = {}): string {
  const safe = opts.text && /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

export function ledgerCsvLine(row: LedgerRow): string {
  return [
    csvField(row.id, { text: true }),
    csvField(row.createdAt.toISOString()),
    csvField(String(row.seq)),
    csvField(row.kind),
    csvField(row.units),
    csvField(row.balanceAfter),
    csvField(row.causeType, { text: true }),
    csvField(row.causeId, { text: true }),
    csvField(row.lotId, { text: true }),
    csvField(row.memo ?? "", { text: true }),
  ].join(",");
}

/** The filtered ledger as CSV lines (header first, CRLF-terminated), produced batch by batch. */
export async function* ledgerCsv(db: Client, query: { workspaceId: string; kinds?: readonly LedgerKind[]; batchSize?: number }): AsyncGenerator<string> {
  yield `${LEDGER_CSV_HEADER.join(",")}\r\n`;
  let chunk: string[] = [];
  for await (const row of ledgerEntries(db, query)) {
    chunk.push(`${ledgerCsvLine(row)}\r\n`);
    if (chunk.length >= 500) {
      yield chunk.join("");
      chunk = [];
    }
  }
  if (chunk.length) yield chunk.join("");
}

/** A file name that says which workspace and filter it holds. */
export function ledgerCsvFileName(slug: string, kinds: readonly string[], now = new Date()): string {
  const day = now.toISOString().slice(0, 10);
  return `ledger-${slug}${kinds.length ? `-${kinds.join("-")}` : ""}-${day}.csv`;
}
