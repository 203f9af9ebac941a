/**
 * A cron's walk over workspaces in id order, in batches, that starts after where the last run stopped
 * (`resumeAfter`, the cursor it reported), goes to the end, then goes round from the start up to that point:
 * a run that runs out of time hands on its cursor, and every workspace gets its turn however many there are.
 * `read` gets the id range of the next batch (Prisma's filter on workspaceId) and returns it in id order.
 */
export async function* sweep<T extends { workspaceId: string }>(
  read: (range: { gt?: string; lte?: string }) => Promise<T[]>,
  resumeAfter: string | null = null,
): AsyncGenerator<T[], void> {
  let cursor = resumeAfter;
  let wrapped = resumeAfter === null;
  for (;;) {
    const rows = await read({ ...(cursor !== null ? { gt: cursor } : {}), ...(wrapped && resumeAfter !== null ? { lte: resumeAfter } : {}) });
    if (!rows.length) {
      if (wrapped) return;
      wrapped = true;
      cursor = null;
      continue;
    }
    yield rows;
    cursor = rows[rows.length - 1]!.workspaceId;
  }
}
