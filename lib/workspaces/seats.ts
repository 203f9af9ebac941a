import type { Tx } from "@/lib/db";
import { AppError, isAppError } from "@/lib/errors";
import { checkUsage, claimGauge, releaseGauge } from "@/lib/billing";

// Seats follow members: a membership claims one seat of the `seats` gauge when it is created (in the same
// transaction), and its removal gives it back. The claim's idempotency key is the membership's id, so the
// migration that counted the memberships already there and these claims can never count one twice.

export const SEAT_FEATURE = "seats";
export const seatClaimKey = (membershipId: string) => `seat:${membershipId}`;
const seatReleaseKey = (membershipId: string) => `seat-release:${membershipId}`;

// A plan an operator wrote without a seats entitlement limits nothing: members join freely.
const noSeatsEntitlement = (e: unknown) => isAppError(e) && e.code === "invalid_request" && e.details?.feature === SEAT_FEATURE;

function seatsTaken(limit: string | null, workspaceName: string | null, forInvitee: boolean): AppError {
  const seats = limit === null ? "all its seats" : `all ${limit} ${limit === "1" ? "seat" : "seats"}`;
  const message = forInvitee
    ? `${workspaceName ?? "This workspace"} has no free seat: its plan includes ${seats.replace("all ", "")}, and every one is taken. Ask an owner to upgrade the plan or remove a member, then open this link again.`
    : `Every seat is taken: your plan includes ${seats.replace("all ", "")}. Upgrade the plan or remove a member to make room.`;
  return new AppError("quota_exhausted", message, { feature: SEAT_FEATURE });
}

/** Claims the new membership's seat inside the caller's transaction; refused (nothing written) when the plan's seats are all taken. */
export async function claimSeat(tx: Tx, input: { workspaceId: string; membershipId: string; now?: Date }): Promise<void> {
  try {
    await claimGauge(tx, { workspaceId: input.workspaceId, feature: SEAT_FEATURE, idempotencyKey: seatClaimKey(input.membershipId), now: input.now });
  } catch (e) {
    if (noSeatsEntitlement(e)) return;
    if (isAppError(e) && e.code === "quota_exhausted") {
      const ws = await tx.workspace.findUnique({ where: { id: input.workspaceId }, select: { name: true } });
      throw seatsTaken(await seatLimit(tx, input.workspaceId), ws?.name ?? null, true);
    }
    throw e;
  }
}

/** Gives back the seat a removed membership held (if it held one), inside the removal's transaction. */
export async function releaseSeat(tx: Tx, input: { workspaceId: string; membershipId: string; now?: Date }): Promise<void> {
  const claim = await tx.usageEvent.findUnique({ where: { workspaceId_idempotencyKey: { workspaceId: input.workspaceId, idempotencyKey: seatClaimKey(input.membershipId) } }, select: { id: true } });
  if (!claim) return;
  await releaseGauge(tx, { workspaceId: input.workspaceId, feature: SEAT_FEATURE, idempotencyKey: seatReleaseKey(input.membershipId), now: input.now });
}

/** Refuses an invitation up front when every seat is taken, telling the inviter the way out. */
export async function assertSeatAvailable(tx: Tx, workspaceId: string): Promise<void> {
  try {
    const answer = await checkUsage(tx, { workspaceId, feature: SEAT_FEATURE, units: 1 });
    if (!answer.allowed) throw seatsTaken(await seatLimit(tx, workspaceId), null, false);
  } catch (e) {
    if (noSeatsEntitlement(e)) return;
    throw e;
  }
}

async function seatLimit(tx: Tx, workspaceId: string): Promise<string | null> {
  const w = await tx.usageWindow.findFirst({ where: { workspaceId, feature: SEAT_FEATURE }, orderBy: { periodEnd: "desc" }, select: { quota: true } });
  return w?.quota?.toFixed() ?? null;
}
