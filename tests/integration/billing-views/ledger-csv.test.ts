import { afterAll, describe, expect, it } from "vitest";
import { adjustExtras } from "@/lib/billing";
import { csvField, LEDGER_CSV_HEADER, ledgerCsv } from "@/lib/billing-views/ledger-csv";
import { closeViewsDb, newWorkspace, parseCsv, viewsDb } from "./helpers";

afterAll(closeViewsDb);

async function csvOf(workspaceId: string, kinds?: ("adjustment" | "topup")[], batchSize?: number) {
  let text = "";
  for await (const chunk of ledgerCsv(viewsDb(), { workspaceId, kinds, batchSize })) text += chunk;
  return text;
}

describe("ledger CSV", () => {
  it("quotes fields per RFC 4180 and defuses spreadsheet formulas in free text only", () => {
    expect(csvField("plain")).toBe("plain");
    expect(csvField('say "hi", then\nleave')).toBe('"say ""hi"", then\nleave"');
    expect(csvField("-12.5")).toBe("-12.5");
    expect(csvField("=HYPERLINK(1)", { text: true })).toBe("'=HYPERLINK(1)");
    expect(csvField("-1,2", { text: true })).toBe(`"'-1,2"`);
  });

  it("has one row per entry of the filtered ledger, equal field by field", async () => {
    const ws = await newWorkspace();
    const t0 = Date.UTC(2026, 9, 1);
    const memos = ["plain", 'with "quotes", and a comma', "two\r\nlines", "=1+1"];
    for (let i = 0; i < 23; i++) {
      await adjustExtras(viewsDb(), { workspaceId: ws.id, units: i % 4 === 3 ? "-0.000001" : `${i}.25`, idempotencyKey: `k${i}`, memo: memos[i % 4]!, now: new Date(t0 + Math.floor(i / 2) * 1000) });
    }
    const text = await csvOf(ws.id, ["adjustment"], 5);
    expect(text.endsWith("\r\n")).toBe(true);
    const [header, ...rows] = parseCsv(text);
    expect(header).toEqual([...LEDGER_CSV_HEADER]);
    const entries = await viewsDb().ledgerEntry.findMany({ where: { workspaceId: ws.id, kind: "adjustment" }, orderBy: [{ createdAt: "desc" }, { seq: "desc" }] });
    expect(rows).toHaveLength(23);
    expect(rows).toEqual(
      entries.map((e) => [
        e.id,
        e.createdAt.toISOString(),
        String(e.seq),
        e.kind,
        e.units.toFixed() === "0" ? "0" : e.units.toFixed(),
        e.balanceAfter.toFixed() === "0" ? "0" : e.balanceAfter.toFixed(),
        e.causeType,
        e.causeId,
        e.lotId,
        e.memo === "=1+1" ? "'=1+1" : e.memo,
      ]),
    );
    expect(rows.map((r) => r[4])).toContain("-0.000001");
  });

  it("exports only the header for a filter that matches nothing", async () => {
    const ws = await newWorkspace();
    await adjustExtras(viewsDb(), { workspaceId: ws.id, units: "1", idempotencyKey: "only", memo: "only" });
    expect(await csvOf(ws.id, ["topup"])).toBe(`${LEDGER_CSV_HEADER.join(",")}\r\n`);
  });
});
