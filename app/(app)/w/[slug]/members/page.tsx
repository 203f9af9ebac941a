import { Card } from "@/components/ui/card";
import { db } from "@/lib/db";
import { requireWorkspacePage } from "@/lib/server/session";
import { can } from "@/lib/workspaces/access";
import { listMembers } from "@/lib/workspaces/members";
import { InviteForm, MemberList } from "./member-forms";

export const metadata = { title: "Members" };

export default async function MembersPage({ params }: { params: Promise<{ slug: string }> }) {
  const { slug } = await params;
  const { workspace, role } = await requireWorkspacePage(slug);
  const members = await listMembers(db(), workspace.id);
  const canManage = can(role, "members");
  return (
    <div className="space-y-6">
      <h1 className="text-2xl font-semibold">Members</h1>
      {canManage && (
        <Card title="Add a member">
          <InviteForm slug={slug} />
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
