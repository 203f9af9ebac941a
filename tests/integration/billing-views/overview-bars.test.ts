import { afterAll, describe, expect, it } from "vitest";
import { adjustExtras, recordUsage } from "@/lib/billing";
import { billingOverview } from "@/lib/billing-views/overview";
import { closeViewsDb, newWorkspace, uid, viewsDb } from "./helpers";

afterAll(closeViewsDb);

const silent = { notifier: { async send() {} } };
const record = (workspaceId: string, feature: string, units: string) => recordUsage(viewsDb(), { workspaceId, feature, units, idempotencyKey: `e-${uid()}` }, silent);

describe("billing overview bars", () => {
  it("puts compute first and counts the units extras paid beyond the quota in this window", async () => {
    const ws = await newWorkspace("overage");
    await adjustExtras(viewsDb(), { workspaceId: ws.id, units: "50", idempotencyKey: `adj-${uid()}`, memo: "test" });
    await record(ws.id, "compute", "99.5");
    await record(ws.id, "compute", "3");
    await record(ws.id, "api_calls", "2");
    const overview = await billingOverview(viewsDb(), ws.id);
    expect(overview.features[0]!.feature).toBe("compute");
    const compute = overview.features[0]!;
    expect([compute.used, compute.limit, compute.fromExtras]).toEqual(["100", "100", "2.5"]);
    expect(overview.features.find((f) => f.feature === "api_calls")!.fromExtras).toBe("0");
    expect(overview.extras.balance).toBe("47.5");
  });
});
