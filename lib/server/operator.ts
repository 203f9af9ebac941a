// Framework glue for the operator console: only operators see it; to anyone else it does not exist (404).
import { notFound } from "next/navigation";
import { cache } from "react";
import { db } from "@/lib/db";
import { env } from "@/lib/env";
import { AppError } from "@/lib/errors";
import { operatorOf, type Operator } from "@/lib/admin/operators";
import { currentUserId } from "./session";

/**
 * The signed-in operator, or null (not signed in, or not an operator). Read once per render: the console's layout
 * and its page both ask (React's cache; a server action, outside a render, reads it each time).
 */
export const currentOperator = cache(async (): Promise<Operator | null> => {
  const userId = await currentUserId();
  return userId ? operatorOf(db(), userId, env().operatorEmails) : null;
});

/**
 * For console pages: the operator, or the not-found page. Every page calls it, not only the layout: on a
 * client-side navigation the server renders the new page without the layouts the client already holds.
 */
export async function requireOperatorPage(): Promise<Operator> {
  const op = await currentOperator();
  if (!op) notFound();
  return op;
}

/** For console actions: the operator, or AppError not_found (the action wrapper shows it). */
export async function requireOperatorAction(): Promise<Operator> {
  const op = await currentOperator();
  if (!op) throw new AppError("not_found", "Not found.");
  return op;
}
