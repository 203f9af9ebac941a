import Link from "next/link";
import { buttonClass } from "@/components/ui/button";
import { db } from "@/lib/db";
import { currentUserId } from "@/lib/server/session";
import { refusal, viewInvitation } from "@/lib/workspaces/accept-invitation";
import { AcceptForm, InviteSignUpForm, SwitchAccountForm } from "./invite-forms";
import { formatDate } from "@/lib/format";

export const metadata = { title: "Invitation" };

const roleWords = { OWNER: "an owner", ADMIN: "an admin", MEMBER: "a member" } as const;

export default async function InvitationPage({ params }: { params: Promise<{ token: string }> }) {
  const { token } = await params;
  const invitation = await viewInvitation(db(), token);
  if (invitation.state !== "pending") {
    return (
      <>
        <h1 className="mb-3 text-xl font-semibold">This invitation cannot be used</h1>
        <p role="alert" className="mb-5 rounded-md bg-amber-50 px-3 py-2 text-sm text-amber-900">{refusal(invitation)}</p>
        <Link className="text-sm font-medium text-brand-700 underline" href="/app">Go to Tally</Link>
      </>
    );
  }
  const { email, workspaceName, inviter, role, expiresAt } = invitation;
  const userId = await currentUserId();
  const user = userId ? await db().user.findUnique({ where: { id: userId }, select: { email: true } }) : null;
  const next = `/invite/${token}`;
  return (
    <>
      <h1 className="mb-1 text-xl font-semibold">Join {workspaceName}</h1>
      <p className="mb-5 text-sm text-slate-600">
        {inviter ? `${inviter} invited` : "You are invited:"} <strong className="break-all">{email}</strong> to join <strong>{workspaceName}</strong> on Tally as {roleWords[role!]}.
        {" "}The invitation expires on {formatDate(expiresAt!)}.
      </p>
      {user && user.email.toLowerCase() === email ? (
        <AcceptForm token={token} workspaceName={workspaceName!} />
      ) : user ? (
        <SwitchAccountForm token={token} signedInAs={user.email} invited={email!} />
      ) : invitation.hasAccount ? (
        <div className="space-y-3">
          <p className="text-sm text-slate-700">Sign in as {email} to accept. You join the workspace only when you accept.</p>
          <Link className={`${buttonClass()} w-full`} href={`/sign-in?next=${encodeURIComponent(next)}`}>Sign in to accept</Link>
        </div>
      ) : (
        <InviteSignUpForm token={token} email={email!} workspaceName={workspaceName!} />
      )}
    </>
  );
}
