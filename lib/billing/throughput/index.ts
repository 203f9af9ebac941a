// Metering's throughput machinery, fenced here: the rest of the engine asks for a statement, a queue or a
// workspace and never learns how it is made fast. Nothing in it decides anything: the database's row locks
// and unique constraints, and the quota rule (quota-rule.ts), decide; these pieces only save round trips and
// CPU, and the same code runs on PostgreSQL and on the embedded PGlite.
//
//   hotStatement(db, workspace, name, sql, values, lane?)  one hot statement whose $1 is the workspace: sent on the
//                                   client's own pg pool as a named prepared statement (pool-statements.ts); with a
//                                   lane, concurrent calls share one round trip (coalesce.ts); with a scope (an API
//                                   key), the same statement also says whose workspace it is (workspace-scope.ts)
//   hotTransaction(db, fn)          one transaction of raw statements on that same pool (the batch's runs)
//   resolveWorkspace / isResolved   a scope's workspace on its own round trip, for paths that fail before any statement
//   oneAtATime(key, fn) / joinInFlight(key, fn)   in-process queues that keep a burst from holding the pool (local-queue.ts)
export { workspaceQuery as hotStatement, resolveWorkspace, isResolved, isWorkspaceScope, type WorkspaceRef, type WorkspaceScope } from "./workspace-scope";
export type { Lane } from "./coalesce";
export { hotTransaction, type RawTx } from "./pool-statements";
export { joinInFlight, oneAtATime } from "./local-queue";
