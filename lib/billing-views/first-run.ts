import type { Client } from "@/lib/db";

/** The meter a first event should move: the pooled unit every plan meters. */
export const MAIN_METER = "compute";

export interface FirstRunState {
  /** A key that still works exists. */
  hasKey: boolean;
  /** A metered usage event was ever recorded (gauge claims, such as the owner's seat at creation, do not count). */
  hasEvent: boolean;
  /** A usage event of the main meter was ever recorded, so its bar has moved. */
  hasMainMeterEvent: boolean;
}

/** Where a new workspace stands on the way to its first metered event, read from what exists (nothing is stored for it). */
export async function firstRunState(db: Client, workspaceId: string): Promise<FirstRunState> {
  const [key, mainWindows, gauges] = await Promise.all([
    db.apiKey.findFirst({ where: { workspaceId, revokedAt: null }, select: { id: true } }),
    db.usageWindow.findMany({ where: { workspaceId, feature: MAIN_METER }, select: { id: true } }),
    db.usageWindow.findMany({ where: { workspaceId, kind: "gauge" }, distinct: ["feature"], select: { feature: true } }),
  ]);
  // Asked through the meter's windows (an event's window is of its feature), which the (workspaceId, windowId)
  // index serves: no index has feature, so a workspace with many events but none of this meter would have
  // all of them read on every billing page.
  const mainEvent = mainWindows.length
    ? await db.usageEvent.findFirst({ where: { workspaceId, feature: MAIN_METER, windowId: { in: mainWindows.map((w) => w.id) } }, select: { id: true } })
    : null;
  const event = mainEvent ?? (await db.usageEvent.findFirst({ where: { workspaceId, feature: { notIn: gauges.map((g) => g.feature) } }, select: { id: true } }));
  return { hasKey: key !== null, hasEvent: event !== null, hasMainMeterEvent: mainEvent !== null };
}

export const firstRunDone = (s: FirstRunState) => s.hasKey && s.hasEvent && s.hasMainMeterEvent;

/** The command that records one compute unit through the metering API; `key` is the secret, or a placeholder. */
export function firstEventCommand(appUrl: string, key: string): string {
  const url = `${appUrl.replace(/\/$/, "")}/api/v1/usage`;
  return [
    `curl -X POST ${url} \\`,
    `  -H "Authorization: Bearer ${key}" \\`,
    `  -H "Content-Type: application/json" \\`,
    `  -d '{"feature":"${MAIN_METER}","units":1,"idempotencyKey":"first-event"}'`,
  ].join("\n");
}
