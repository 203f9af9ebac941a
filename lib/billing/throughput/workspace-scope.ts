import type { Client } from "@/lib/db";
import type { Lane } from "./coalesce";
import { hotQuery } from "./pool-statements";

/**
 * A workspace the database identifies inside the first statement of a call, from something the caller
 * presents (an API key, say): the statement both answers "whose is this?" and does the work, in one
 * round trip. Over HTTP a round trip costs this process more CPU than anything else a metering request
 * does, so the metering API hands the engine a scope instead of authenticating first.
 *
 * The scope's SELECT returns exactly one row whose "workspaceId" column is the workspace, or null when
 * the caller is refused. With null, the statement it wraps runs against no workspace: every hot statement
 * filters by its workspace, so it reads nothing and writes nothing. resolve() then turns the row into
 * the workspace id or throws the refusal (and records whatever it must, e.g. a failed attempt).
 */
export interface WorkspaceScope {
  /** Part of the prepared statements' names; short, [a-z_]. */
  readonly name: string;
  /** The same on every call for the same workspace (e.g. an API key's hash): bursts are gated by it until the id is known. */
  readonly key: string;
  /** A SELECT of one row with a "workspaceId" column, parameters $1..$n. */
  readonly sql: string;
  readonly values: readonly unknown[];
  resolve(row: Record<string, unknown>): Promise<string>;
}

/** A workspace id, or a scope the first statement resolves. */
export type WorkspaceRef = string | WorkspaceScope;

export const isWorkspaceScope = (v: unknown): v is WorkspaceScope =>
  typeof v === "object" && v !== null && typeof (v as WorkspaceScope).sql === "string" && typeof (v as WorkspaceScope).resolve === "function";

/**
 * Runs a hot statement whose $1 is the workspace id (its other parameters follow in `values`). With a scope,
 * the scope's SELECT runs first in the same statement and feeds $1; the scope is resolved (or refuses)
 * before the rows are looked at.
 */
export async function workspaceQuery<R extends object>(
  db: Client,
  workspace: WorkspaceRef,
  name: string,
  sql: string,
  values: unknown[],
  lane?: Lane,
): Promise<{ workspaceId: string; rows: R[] }> {
  if (typeof workspace !== "string") {
    const known = resolved.get(workspace);
    if (known === undefined) return scopedQuery(db, workspace, name, sql, values, lane);
    workspace = known;
  }
  return { workspaceId: workspace, rows: await hotQuery<R>(db, name, sql, [workspace, ...values], lane) };
}

async function scopedQuery<R extends object>(db: Client, workspace: WorkspaceScope, name: string, sql: string, values: unknown[], lane?: Lane) {
  const statement = `${workspace.name}_${name}`;
  // A name stands for one text (as it does for a prepared statement), so each wrapped text is built once.
  let text = scopedTexts.get(statement);
  if (text === undefined) scopedTexts.set(statement, (text = scoped(workspace.sql, sql, workspace.values.length)));
  const rows = await hotQuery<ScopedRow<R>>(db, statement, text, [...workspace.values, ...values], lane);
  const first = rows[0];
  if (!first) throw new Error(`scope ${workspace.name} returned no row`);
  const workspaceId = await workspace.resolve(first.tally_scope);
  resolved.set(workspace, workspaceId);
  // A refused caller or an empty result leaves one row with the scope only; the scope's columns ride along on the rest.
  return { workspaceId, rows: rows.filter((r) => r.tally_present) };
}

/** The workspace a reference names: a scope is resolved on its own (for paths that fail before any statement). */
export async function resolveWorkspace(db: Client, workspace: WorkspaceRef): Promise<string> {
  if (typeof workspace === "string") return workspace;
  const known = resolved.get(workspace);
  if (known !== undefined) return known;
  const rows = await hotQuery<{ tally_scope: Record<string, unknown> }>(db, workspace.name, `SELECT to_jsonb(s) AS tally_scope FROM (${workspace.sql}) AS s`, [...workspace.values]);
  if (!rows[0]) throw new Error(`scope ${workspace.name} returned no row`);
  const workspaceId = await workspace.resolve(rows[0].tally_scope);
  resolved.set(workspace, workspaceId);
  return workspaceId;
}

/** True once a statement (or resolveWorkspace) has resolved this scope. */
export const isResolved = (workspace: WorkspaceRef): boolean => typeof workspace === "string" || resolved.has(workspace);

const scopedTexts = new Map<string, string>();

// A scope lives as long as its request; once resolved, the request's next statements use the plain id.
const resolved = new WeakMap<WorkspaceScope, string>();

type ScopedRow<R> = R & { tally_scope: Record<string, unknown>; tally_present: boolean | null };

// The statement's $1 becomes the scope's workspace and its $k (k > 1) the scope's n parameters later. The
// gate (workspaceId IS NOT NULL) usually keeps the statement from running at all for a refused caller;
// when the planner runs it anyway, it runs for no workspace. Parameters are only ever written $k in the
// engine's statements (no dollar quoting), which this rewrite relies on.
function scoped(scopeSql: string, sql: string, n: number): string {
  const inner = sql.replace(/\$(\d+)/g, (_, k: string) => (k === "1" ? `s."workspaceId"` : `$${Number(k) - 1 + n}`));
  return `SELECT to_jsonb(s) AS tally_scope, q.* FROM (${scopeSql}) AS s
    LEFT JOIN LATERAL (SELECT true AS tally_present, i.* FROM (${inner}) AS i WHERE s."workspaceId" IS NOT NULL) AS q ON true`;
}
