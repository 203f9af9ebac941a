import { Card } from "@/components/ui/card";
import { db } from "@/lib/db";
import { requireWorkspacePage } from "@/lib/server/session";
import { can } from "@/lib/workspaces/access";
import { listInvitations } from "@/lib/workspaces/invitations";
import { listMembers } from "@/lib/workspaces/members";
import { InvitationList, InviteForm, MemberList } from "./member-forms";
import { formatDateTime } from "@/lib/format";

export const metadata = { title: "Members" };

const when = formatDateTime;

export default async function MembersPage({ params }: { params: Promise<{ slug: string }> }) {
  const { slug } = await params;
  const { workspace, role } = await requireWorkspacePage(slug);
  const canManage = can(role, "members");
  const [members, invitations] = await Promise.all([listMembers(db(), workspace.id), canManage ? listInvitations(db(), workspace.id) : []]);
  return (
    <div className="space-y-6">
      <h1 className="text-2xl font-semibold">Members</h1>
      {canManage && (
        <Card title="Invite someone">
          <InviteForm slug={slug} canInviteOwner={role === "OWNER"} />
        </Card>
      )}
      {canManage && (
        <Card title={invitations.length ? `${invitations.length} ${invitations.length === 1 ? "invitation" : "invitations"} not yet accepted` : "Invitations"}>
          <InvitationList
            slug={slug}
            canManage={canManage}
            invitations={invitations.map((i) => ({
              id: i.id,
              email: i.email,
              role: i.role,
              status: i.status,
              invitedBy: i.invitedBy ? (i.invitedBy.name ?? i.invitedBy.email) : null,
              sentAt: when(i.sentAt),
              expiresAt: when(i.expiresAt),
            }))}
          />
        </Card>
      )}
      <Card title={`${members.length} ${members.length === 1 ? "member" : "members"}`}>
        <MemberList
          slug={slug}
          canManage={canManage}
          members={members.map((m) => ({ membershipId: m.id, email: m.user.email, name: m.user.name, role: m.role, keys: m.activeKeys }))}
        />
      </Card>
    </div>
  );
}
