// A cron job that walks every workspace and runs out of time reports a cursor; the route's next run starts after
// it (and goes round), so the workspaces at the end of the order get their turn.
import { describe, expect, it } from "vitest";
import { db } from "@/lib/db";
import { withCron, type CronContext } from "@/lib/cron/with-cron";

const call = (handler: (req: Request) => Promise<Response>) =>
  handler(new Request("http://app.local/api/cron/test", { headers: { authorization: `Bearer ${process.env.CRON_SECRET}` } }));

describe("a cron run's cursor", () => {
  it("is where the route's next run starts; a run that went all the way round leaves none", async () => {
    const route = `test-resume-${crypto.randomUUID()}`;
    const seen: (string | null)[] = [];
    const cursors = ["ws_5", "ws_9", null];
    const handler = withCron(route, async (ctx: CronContext) => {
      seen.push(ctx.resumeAfter);
      return { cursor: cursors[seen.length - 1] };
    }, { db });
    for (let i = 0; i < 4; i++) expect((await call(handler)).status).toBe(200);
    expect(seen).toEqual([null, "ws_5", "ws_9", null]);
    await db().cronRun.deleteMany({ where: { route } });
  });

  it("survives a failed run: the next one starts where the last good run stopped", async () => {
    const route = `test-resume-${crypto.randomUUID()}`;
    const seen: (string | null)[] = [];
    const handler = withCron(route, async (ctx: CronContext) => {
      seen.push(ctx.resumeAfter);
      if (seen.length === 2) throw new Error("the invariant check failed");
      return { cursor: `ws_${seen.length}` };
    }, { db });
    expect((await call(handler)).status).toBe(200);
    expect((await call(handler)).status).toBe(500);
    expect((await call(handler)).status).toBe(200);
    expect(seen).toEqual([null, "ws_1", "ws_1"]);
    await db().cronRun.deleteMany({ where: { route } });
  });
});
