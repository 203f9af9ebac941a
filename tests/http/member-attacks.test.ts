// Attacks through the members page against the built app: telling accounts apart through "invite a
// member", adding someone without their consent, and an admin's API key outliving the admin.
import { afterAll, describe, expect, it } from "vitest";
import { createApiKey } from "@/lib/api-keys";
import { registerUser } from "@/lib/auth/users";
import { actionIds, postAction, signIn } from "../chaos/session";
import { roomForMembers } from "../helpers/seats";
import { api, baseUrl, closeAll, mailbox, testDb, uid } from "./helpers";

const PASSWORD = "correct-horse-battery-staple";

afterAll(closeAll);

async function account(label: string) {
  const email = `${label}-${uid()}@example.test`;
  const { user, workspace } = await registerUser(testDb(), { email, password: PASSWORD, workspace: `${label} ${uid()}` });
  return { email, user, workspace };
}

/** The action's answer as the form gets it: the FormState inside the RSC reply. */
function formState(text: string): { ok: boolean; message: string } {
  const found = text.match(/\{"ok":(true|false),"message":"((?:[^"\\]|\\.)*)"/);
  if (!found) throw new Error(`no form state in: ${text.slice(0, 300)}`);
  return { ok: found[1] === "true", message: JSON.parse(`"${found[2]}"`) as string };
}

describe("inviting a member", () => {
  it("answers the same for an address with an account and one without, emails both, and adds nobody", async () => {
    const owner = await account("owner");
    // Room for two invitees (a Free workspace's one seat is the owner's).
    await roomForMembers(testDb(), owner.workspace.id);
    const existing = await account("existing");
    const unknown = `nobody-${uid()}@example.test`;
    const session = await signIn(baseUrl, owner.email, PASSWORD);
    const ids = actionIds();
    const invite = async (email: string) => {
      const r = await postAction(session, `/w/${owner.workspace.slug}/members`, ids.inviteMemberAction!, { slug: owner.workspace.slug, email, role: "MEMBER" });
      expect(r.status).toBe(200);
      return formState(r.text);
    };
    const a = await invite(existing.email);
    const b = await invite(unknown);
    expect({ ...a, message: a.message.replace(existing.email, "X") }).toEqual({ ...b, message: b.message.replace(unknown, "X") });
    expect(a).toEqual({ ok: true, message: `Invitation sent to ${existing.email}.` });

    for (const to of [existing.email, unknown]) {
      const mail = await mailbox.waitFor({ to });
      expect(mail.links.some((l) => new URL(l).pathname.startsWith("/invite/"))).toBe(true);
    }
    // Nobody joined: the existing account is not a member until it accepts.
    expect(await testDb().membership.count({ where: { workspaceId: owner.workspace.id, userId: existing.user.id } })).toBe(0);
    session.close();
  });
});

describe("removing an admin", () => {
  it("revokes the keys they created when the confirmation asks for it: the admin's key is refused at once", async () => {
    const owner = await account("owner");
    const admin = await account("admin");
    const membership = await testDb().membership.create({ data: { workspaceId: owner.workspace.id, userId: admin.user.id, role: "ADMIN" } });
    const key = await createApiKey(testDb(), { workspaceId: owner.workspace.id, name: "admin's", createdById: admin.user.id });
    const limitations = () => api.request("/api/v1/limitations", { key: key.secret });
    expect((await limitations()).status).toBe(200);

    const session = await signIn(baseUrl, owner.email, PASSWORD);
    const r = await postAction(session, `/w/${owner.workspace.slug}/members`, actionIds().changeMemberAction!, {
      slug: owner.workspace.slug,
      membershipId: membership.id,
      role: "REMOVE",
      revokeKeys: "on",
    });
    const refused = await limitations();
    expect(refused.status).toBe(401);
    expect(refused.json.error.code).toBe("unauthorized");
    expect(formState(r.text)).toEqual({ ok: true, message: `${admin.email} was removed from the workspace. 1 API key they created was revoked.` });
    session.close();
  });
});
