import fs from "node:fs";
import { describe, expect, it } from "vitest";
import { forPrismaMigrate, migrationBlock } from "./sql-functions";

describe("billing functions in the migration", () => {
  it("the init migration carries exactly the functions of lib/billing/*.sql", () => {
    const migration = fs.readFileSync("prisma/migrations/20261121000000_init/migration.sql", "utf8");
    expect(migration).toContain(migrationBlock());
  });

  it("escapes a body so no semicolon or lone quote is left for the migration runner to split on", () => {
    const out = forPrismaMigrate("CREATE OR REPLACE FUNCTION f(a int) RETURNS text LANGUAGE plpgsql AS $fn$\nBEGIN RETURN 'it''s ' || a; END\n$fn$;");
    expect(out).toBe("CREATE OR REPLACE FUNCTION f(a int) RETURNS text LANGUAGE plpgsql AS U&'\nBEGIN RETURN ''it''''s '' || a\\003B END\n';\n");
    expect(out.slice(0, -2)).not.toContain(";");
  });
});
