"use client";

import { useActionState, useState } from "react";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { ConfirmSubmit } from "@/components/ui/confirm-submit";
import { useResultToast } from "@/components/ui/use-result-toast";
import { roleLabel } from "@/lib/format";
import { Field } from "@/components/ui/field";
import { FormMessage } from "@/components/ui/form-message";
import { changeMemberAction, inviteMemberAction, resendInvitationAction, revokeInvitationAction } from "./actions";

const roles = ["MEMBER", "ADMIN", "OWNER"] as const;

export function InviteForm({ slug, canInviteOwner }: { slug: string; canInviteOwner: boolean }) {
  const [state, action, pending] = useActionState(inviteMemberAction, null);
  useResultToast(state);
  return (
    <form action={action} className="grid gap-3 sm:grid-cols-[1fr_auto_auto] sm:items-end">
      <input type="hidden" name="slug" value={slug} />
      <Field label="Email address" name="email" type="email" required autoComplete="off" error={state?.fieldErrors?.email} />
      <div className="space-y-1">
        <label htmlFor="invite-role" className="block text-sm font-medium text-slate-800">Role</label>
        <select id="invite-role" name="role" defaultValue="MEMBER" className="rounded-md border border-slate-300 bg-white px-2 py-2 text-sm">
          {roles.filter((r) => r !== "OWNER" || canInviteOwner).map((r) => <option key={r} value={r}>{roleLabel(r)}</option>)}
        </select>
      </div>
      <Button type="submit" disabled={pending}>{pending ? "Sending…" : "Send invitation"}</Button>
      <p className="text-xs text-slate-500 sm:col-span-3">They get an email with a link. They join only when they accept it, signed in (or signing up) with this address. The link works for 7 days.</p>
      <div className="sm:col-span-3"><FormMessage state={state} /></div>
    </form>
  );
}

export interface PendingInvitation {
  id: string;
  email: string;
  role: string;
  status: "pending" | "expired" | "accepted" | "revoked";
  invitedBy: string | null;
  sentAt: string;
  expiresAt: string;
}

/** Pending and expired invitations with Resend and Revoke; answers are shown above the list, since a revoked row leaves it. */
export function InvitationList({ slug, invitations, canManage }: { slug: string; invitations: PendingInvitation[]; canManage: boolean }) {
  const [resent, resend, resending] = useActionState(resendInvitationAction, null);
  const [revoked, revoke, revoking] = useActionState(revokeInvitationAction, null);
  const [last, setLast] = useState<"resend" | "revoke">("resend");
  useResultToast(resent);
  useResultToast(revoked);
  return (
    <div className="space-y-3" data-testid="invitations">
      <FormMessage state={last === "resend" ? resent : revoked} />
      {invitations.length === 0 && <p className="text-sm text-slate-600">No invitations waiting to be accepted.</p>}
      <ul className="divide-y divide-slate-200" aria-label="Pending invitations">
        {invitations.map((inv) => (
          <li key={inv.id} className="flex flex-col gap-2 py-3 sm:flex-row sm:items-center" data-testid={`invitation-${inv.email}`}>
            <div className="min-w-0 flex-1">
              <p className="flex flex-wrap items-center gap-2 font-medium">
                <span className="break-all">{inv.email}</span>
                <Badge>{roleLabel(inv.role)}</Badge>
                {inv.status === "expired" ? <Badge tone="warning">Expired</Badge> : <Badge tone="brand">Pending</Badge>}
              </p>
              <p className="text-xs text-slate-600">
                {inv.invitedBy ? `Invited by ${inv.invitedBy}, ` : ""}sent {inv.sentAt}; {inv.status === "expired" ? `expired ${inv.expiresAt}` : `link works until ${inv.expiresAt}`}
              </p>
            </div>
            {canManage && (
              <div className="flex gap-2">
                <form action={resend} onSubmit={() => setLast("resend")}>
                  <input type="hidden" name="slug" value={slug} />
                  <input type="hidden" name="invitationId" value={inv.id} />
                  <Button type="submit" variant="secondary" disabled={resending} aria-label={`Resend invitation to ${inv.email}`}>Resend</Button>
                </form>
                <form action={revoke} onSubmit={() => setLast("revoke")}>
                  <input type="hidden" name="slug" value={slug} />
                  <input type="hidden" name="invitationId" value={inv.id} />
                  <ConfirmSubmit
                    variant="danger"
                    disabled={revoking}
                    aria-label={`Revoke invitation to ${inv.email}`}
                    confirm={{ title: "Revoke this invitation?", description: `The link sent to ${inv.email} stops working at once. You can invite them again later.`, confirmLabel: "Yes, revoke invitation", destructive: true }}
                  >
                    Revoke
                  </ConfirmSubmit>
                </form>
              </div>
            )}
          </li>
        ))}
      </ul>
    </div>
  );
}

export interface MemberView {
  membershipId: string;
  email: string;
  name: string | null;
  role: (typeof roles)[number];
  /** Names of the active API keys this member created. */
  keys: string[];
}

/**
 * The member list shares one action state, so the answer to a removal is still shown once the removed
 * row is gone; a refusal is shown next to the member it concerns.
 */
export function MemberList({ slug, members, canManage }: { slug: string; members: MemberView[]; canManage: boolean }) {
  const [state, action, pending] = useActionState(changeMemberAction, null);
  useResultToast(state);
  return (
    <div className="space-y-3">
      {state?.ok && <FormMessage state={state} />}
      <ul className="divide-y divide-slate-200">
        {members.map((m) => (
          <MemberRow key={`${m.membershipId}-${m.role}`} slug={slug} member={m} canManage={canManage} action={action} pending={pending} error={!state?.ok && state?.membershipId === m.membershipId ? state : null} />
        ))}
      </ul>
    </div>
  );
}

const canManageKeys = (role: string) => role === "OWNER" || role === "ADMIN";

function MemberRow(props: { slug: string; member: MemberView; canManage: boolean; action: (form: FormData) => void; pending: boolean; error: Parameters<typeof FormMessage>[0]["state"] }) {
  const { slug, member: m, canManage, action, pending, error } = props;
  const [choice, setChoice] = useState<string>(m.role);
  const [confirming, setConfirming] = useState(false);
  const removing = choice === "REMOVE";
  // Losing access to the workspace or to its keys is confirmed first, offering to revoke the keys they made.
  const needsConfirmation = removing || (canManageKeys(m.role) && !canManageKeys(choice));
  return (
    <li className="flex flex-col gap-2 py-3" data-testid={`member-${m.email}`}>
      <div className="flex flex-col gap-2 sm:flex-row sm:items-start">
        <div className="flex-1">
          <p className="font-medium">{m.name ?? m.email}</p>
          <p className="text-sm text-slate-600">{m.email}</p>
          {m.keys.length > 0 && <p className="text-xs text-slate-500">Created {m.keys.length} active API {m.keys.length === 1 ? "key" : "keys"}</p>}
        </div>
        {canManage ? (
          <form
            action={action}
            onSubmit={(e) => {
              if (needsConfirmation && !confirming) {
                e.preventDefault();
                setConfirming(true);
              }
            }}
            className="flex flex-col gap-2 sm:items-end"
          >
            <input type="hidden" name="slug" value={slug} />
            <input type="hidden" name="membershipId" value={m.membershipId} />
            <div className="flex items-center gap-2">
              <label className="sr-only" htmlFor={`role-${m.membershipId}`}>Role for {m.email}</label>
              <select
                id={`role-${m.membershipId}`}
                name="role"
                value={choice}
                onChange={(e) => {
                  setChoice(e.target.value);
                  setConfirming(false);
                }}
                className="rounded-md border border-slate-300 bg-white px-2 py-1.5 text-sm"
              >
                {roles.map((r) => <option key={r} value={r}>{roleLabel(r)}</option>)}
                <option value="REMOVE">Remove from workspace</option>
              </select>
              {!confirming && <Button type="submit" variant="secondary" disabled={pending}>Save</Button>}
            </div>
            {confirming && (
              <div className="w-full space-y-2 rounded-md border border-red-200 bg-red-50 p-3 sm:w-96" role="group" aria-label={`Confirm changes to ${m.email}`}>
                <p className="text-sm text-red-900">
                  {removing
                    ? `Remove ${m.email} from this workspace? They lose access at once.`
                    : `Make ${m.email} a ${roleLabel(choice).toLowerCase()}? They can no longer manage billing or API keys.`}
                </p>
                {m.keys.length > 0 && (
                  <label className="flex items-start gap-2 text-sm text-red-900">
                    <input type="checkbox" name="revokeKeys" defaultChecked className="mt-0.5" />
                    <span>
                      Also revoke the {m.keys.length === 1 ? "API key" : `${m.keys.length} API keys`} they created ({m.keys.map((k) => `“${k}”`).join(", ")}). They have seen
                      {m.keys.length === 1 ? " its secret" : " the secrets"}; requests with {m.keys.length === 1 ? "it" : "them"} are refused from now on.
                    </span>
                  </label>
                )}
                <div className="flex gap-2">
                  <Button type="submit" variant="danger" disabled={pending}>{removing ? "Yes, remove" : "Yes, change role"}</Button>
                  <Button type="button" variant="ghost" onClick={() => setConfirming(false)}>Cancel</Button>
                </div>
              </div>
            )}
          </form>
        ) : (
          <Badge>{roleLabel(m.role)}</Badge>
        )}
      </div>
      {error && <FormMessage state={error} />}
    </li>
  );
}
