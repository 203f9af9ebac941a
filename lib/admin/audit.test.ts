import { describe, expect, it } from "vitest";
import { parseAuditCursor } from "./audit";

describe("parseAuditCursor", () => {
  it("takes a sequence number a bigint column holds", () => {
    expect(parseAuditCursor("42")).toBe(42n);
    expect(parseAuditCursor("9223372036854775807")).toBe(9223372036854775807n);
  });

  it("ignores anything else, which would fail the query: past bigint, signs, decimals, junk", () => {
    for (const v of [undefined, "", "9223372036854775808", "99999999999999999999", "-1", "1.5", "1e3", "abc", " 1"]) expect(parseAuditCursor(v), String(v)).toBeUndefined();
  });
});
