import { afterAll, describe, expect, it } from "vitest";
import { claimGauge, recordUsage } from "@/lib/billing";
import { createApiKey, revokeApiKey } from "@/lib/api-keys";
import { firstRunDone, firstRunState } from "@/lib/billing-views/first-run";
import { closeViewsDb, newWorkspace, uid, viewsDb } from "./helpers";

afterAll(closeViewsDb);

const silent = { notifier: { async send() {} } };
const record = (workspaceId: string, feature: string, units: string) => recordUsage(viewsDb(), { workspaceId, feature, units, idempotencyKey: `e-${uid()}` }, silent);

describe("first-run checklist state", () => {
  it("ticks from what exists: a working key, a metered event, a compute event; the owner's seat claim is not an event", async () => {
    const ws = await newWorkspace("first-run");
    await claimGauge(viewsDb(), { workspaceId: ws.id, feature: "seats", idempotencyKey: `seat-${uid()}` });
    expect(await firstRunState(viewsDb(), ws.id)).toEqual({ hasKey: false, hasEvent: false, hasMainMeterEvent: false });

    const key = await createApiKey(viewsDb(), { workspaceId: ws.id, name: "k" });
    await revokeApiKey(viewsDb(), { workspaceId: ws.id, keyId: key.id });
    expect((await firstRunState(viewsDb(), ws.id)).hasKey).toBe(false);
    await createApiKey(viewsDb(), { workspaceId: ws.id, name: "k2" });
    expect(await firstRunState(viewsDb(), ws.id)).toEqual({ hasKey: true, hasEvent: false, hasMainMeterEvent: false });

    await record(ws.id, "api_calls", "1");
    expect(await firstRunState(viewsDb(), ws.id)).toEqual({ hasKey: true, hasEvent: true, hasMainMeterEvent: false });
    await record(ws.id, "compute", "1");
    const done = await firstRunState(viewsDb(), ws.id);
    expect(done).toEqual({ hasKey: true, hasEvent: true, hasMainMeterEvent: true });
    expect(firstRunDone(done)).toBe(true);
  });
});
