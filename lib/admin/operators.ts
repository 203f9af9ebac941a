import type { Client } from "@/lib/billing";
import { AppError } from "@/lib/errors";

/** Who is acting in the console: what the audit log records. */
export interface Operator {
  id: string;
  email: string;
}

/**
 * The operator behind a user id, or null. A user is an operator when granted the role (`npm run
 * operator:grant`) or listed in TALLY_OPERATOR_EMAILS with that address verified: anyone may sign up with
 * a listed address that has no account yet, and only the emailed link proves it is theirs. The list is read
 * on every call, so removing an email takes effect at once.
 */
export async function operatorOf(db: Client, userId: string, listed: string[]): Promise<Operator | null> {
  const user = await db.user.findUnique({ where: { id: userId }, select: { id: true, email: true, operator: true, emailVerified: true } });
  if (!user) return null;
  const isListed = user.emailVerified !== null && listed.includes(user.email.toLowerCase());
  return user.operator || isListed ? { id: user.id, email: user.email } : null;
}

/** Grants (or revokes) the operator role to the user with this email. */
export async function setOperator(db: Client, email: string, operator: boolean): Promise<Operator> {
  const user = await db.user.findUnique({ where: { email: email.trim().toLowerCase() } });
  if (!user) throw new AppError("not_found", `No user has the email ${email}; they sign up first.`);
  await db.user.update({ where: { id: user.id }, data: { operator } });
  return { id: user.id, email: user.email };
}
