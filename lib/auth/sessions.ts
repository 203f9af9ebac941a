import type { Tx } from "@/lib/db";

// Sessions are signed tokens (JWT) the browser keeps for 30 days, so the server cannot delete one. Each
// token carries the user's sessionVersion as it was at sign-in; raising the version ends every session
// issued before, and every session read compares the two.

/** The version a new session of this user carries, or null when the user no longer exists. */
export async function sessionVersionOf(db: Tx, userId: string): Promise<number | null> {
  const user = await db.user.findUnique({ where: { id: userId }, select: { sessionVersion: true } });
  return user?.sessionVersion ?? null;
}

/**
 * Whether a session token's claims still stand: its user exists and has not ended its sessions since.
 * A token without a version predates versions and is refused (its holder signs in again).
 */
export async function isSessionCurrent(db: Tx, claims: Record<string, unknown>): Promise<boolean> {
  if (typeof claims.uid !== "string" || typeof claims.sv !== "number") return false;
  return (await sessionVersionOf(db, claims.uid)) === claims.sv;
}

/** Ends every session of the user, on every device (sign-out; password change and reset). */
export async function endSessions(db: Tx, userId: string): Promise<void> {
  await db.user.updateMany({ where: { id: userId }, data: { sessionVersion: { increment: 1 } } });
}
