import { db } from "@/lib/db";
import { inputFirst, queryOf, requireApiKey } from "../auth";
import { zodInvalid } from "../body";
import { apiEndpoint } from "../endpoint";
import { exact } from "../json";
import { json } from "../respond";
import { eventsQuerySchema } from "../platform-schemas";
import { listUsageEvents } from "@/lib/platform/events";

// The workspace's usage events, newest first, a page at a time.
export default apiEndpoint({
  GET: async (req) => {
    const q = await inputFirst(req, () => {
      const parsed = eventsQuerySchema.safeParse(Object.fromEntries(queryOf(req)));
      if (!parsed.success) throw zodInvalid(parsed.error);
      return parsed.data;
    });
    const { workspaceId } = await requireApiKey(req, q.workspace);
    const page = await listUsageEvents(db(), {
      workspaceId, feature: q.feature, cursor: q.cursor, limit: q.limit,
      from: q.from ? new Date(q.from) : undefined, to: q.to ? new Date(q.to) : undefined,
    });
    return json({ data: page.data.map((e) => ({ ...e, units: exact(e.units), quotaUnits: exact(e.quotaUnits), extrasUnits: exact(e.extrasUnits) })), nextCursor: page.nextCursor });
  },
});
