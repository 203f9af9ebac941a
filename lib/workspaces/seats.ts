import { inTransaction, type Client, type Tx } from "@/lib/db";
import { AppError, isAppError } from "@/lib/errors";
import { checkUsage, claimGauge, releaseGauge, type UsageAnswer } from "@/lib/billing";

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

/** Idempotency keys of the members' own claims and releases: an API caller cannot use them (and so pre-empt one). */
export const isMemberSeatKey = (key: string) => key.startsWith("seat:") || key.startsWith("seat-release:");

/**
 * Seats released through the API. A member's seat is given back only by removing the member: a release that
 * would take the gauge below the seats members hold is refused (409), so a key cannot free a seat someone
 * still sits in and invite past the plan's limit. Seats the API claimed, it may release. Decided under the
 * seats window's row lock, which members joining and leaving take too; a replayed key answers as it did.
 */
export async function releaseSeatsFromApi(db: Client, input: { workspaceId: string; units: number | string; idempotencyKey: string }): Promise<UsageAnswer> {
  return inTransaction(db, async (tx) => {
    const replay = await tx.usageEvent.findUnique({ where: { workspaceId_idempotencyKey: { workspaceId: input.workspaceId, idempotencyKey: input.idempotencyKey } }, select: { id: true } });
    const units = Number(input.units);
    if (!replay && Number.isSafeInteger(units)) {
      const window = await tx.$queryRaw<{ used: string }[]>`
        SELECT used::text AS used FROM "UsageWindow" WHERE "workspaceId" = ${input.workspaceId} AND feature = ${SEAT_FEATURE}
        ORDER BY "periodEnd" DESC LIMIT 1 FOR UPDATE`;
      const held = await tx.$queryRaw<{ n: number }[]>`
        SELECT count(*)::int AS n FROM "Membership" m
        JOIN "UsageEvent" e ON e."workspaceId" = m."workspaceId" AND e."idempotencyKey" = 'seat:' || m.id
        WHERE m."workspaceId" = ${input.workspaceId}`;
      const used = Number(window[0]?.used ?? 0);
      const members = held[0]?.n ?? 0;
      if (window[0] && used - units < members) {
        throw new AppError(
          "conflict",
          `${members} of the ${used} seats in use are held by the workspace's members, and only removing a member gives one back; the API can release at most ${Math.max(0, used - members)}.`,
          { feature: SEAT_FEATURE, used: String(used), heldByMembers: String(members) },
        );
      }
    }
    return releaseGauge(tx, { workspaceId: input.workspaceId, feature: SEAT_FEATURE, units: input.units, idempotencyKey: input.idempotencyKey });
  });
}
