import { db } from "@/lib/db";
import { apiActor, inputFirst, requirePlatformKey } from "../auth";
import { readJson } from "../body";
import { apiEndpoint } from "../endpoint";
import { json } from "../respond";
import { provisionSchema } from "../platform-schemas";
import { provisionWorkspace } from "@/lib/platform/workspaces";
import { emailPlatformInvitation } from "@/lib/workspaces/send-invitation";

// Idempotent on externalId: a replay answers as the first call did (201 and the workspace), creating nothing.
export default apiEndpoint({
  POST: async (req) => {
    const body = await inputFirst(req, () => readJson(req, provisionSchema));
    const principal = await requirePlatformKey(req);
    const { workspace, invitation } = await provisionWorkspace(db(), { ...apiActor(principal), id: principal.keyId }, body);
    // After commit: a mail server that is down leaves the invitation pending (an operator or owner can resend).
    if (invitation) await emailPlatformInvitation(db(), invitation, workspace.id);
    return json(workspace, { status: 201 });
  },
});
