import fs from "node:fs";
import { describe, expect, it } from "vitest";
import { forPrismaMigrate, migrationBlock, MIGRATION_MARKER } from "./sql-functions";

describe("billing functions in the migration", () => {
  it("the newest migration that installs them carries exactly the functions of lib/billing/*.sql", () => {
    const dir = "prisma/migrations";
    const newest = fs
      .readdirSync(dir)
      .filter((d) => fs.existsSync(`${dir}/${d}/migration.sql`))
      .sort()
      .map((d) => fs.readFileSync(`${dir}/${d}/migration.sql`, "utf8"))
      .filter((sql) => sql.includes(MIGRATION_MARKER))
      .at(-1);
    expect(newest).toContain(migrationBlock());
  });

  it("escapes a body so no semicolon or lone quote is left for the migration runner to split on", () => {
    const out = forPrismaMigrate("CREATE OR REPLACE FUNCTION f(a int) RETURNS text LANGUAGE plpgsql AS $fn$\nBEGIN RETURN 'it''s ' || a; END\n$fn$;");
    expect(out).toBe("CREATE OR REPLACE FUNCTION f(a int) RETURNS text LANGUAGE plpgsql AS U&'\nBEGIN RETURN ''it''''s '' || a\\003B END\n';\n");
    expect(out.slice(0, -2)).not.toContain(";");
  });
});
