import { db } from "@/lib/db";
import { apiActor, inputFirst, requirePlatformKey } from "@/lib/api/auth";
import { readJson } from "@/lib/api/body";
import { apiEndpoint } from "@/lib/api/endpoint";
import { json } from "@/lib/api/respond";
import { provisionSchema } from "@/lib/api/platform-schemas";
import { provisionWorkspace } from "@/lib/platform/workspaces";
import { emailPlatformInvitation } from "@/lib/workspaces/send-invitation";

// Node's own request and response: the body is read (and capped) by lib/api/body.ts.
export const config = { api: { bodyParser: false, responseLimit: false } };

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
