"use client";

import { useActionState } from "react";
import { Button } from "@/components/ui/button";
import { Field } from "@/components/ui/field";
import { FormMessage } from "@/components/ui/form-message";
import { changeMemberAction, inviteMemberAction } from "./actions";

const roles = ["MEMBER", "ADMIN", "OWNER"] as const;

export function InviteForm({ slug }: { slug: string }) {
  const [state, action, pending] = useActionState(inviteMemberAction, null);
  return (
    <form action={action} className="grid gap-3 sm:grid-cols-[1fr_auto_auto] sm:items-end">
      <input type="hidden" name="slug" value={slug} />
      <Field label="Email of an existing Tally user" name="email" type="email" required error={state?.fieldErrors?.email} />
      <label className="space-y-1 text-sm font-medium">
        <span className="block">Role</span>
        <select name="role" defaultValue="MEMBER" className="rounded-md border border-slate-300 bg-white px-2 py-2 text-sm">
          {roles.map((r) => <option key={r} value={r}>{r}</option>)}
        </select>
      </label>
      <Button type="submit" disabled={pending}>Add member</Button>
      <div className="sm:col-span-3"><FormMessage state={state} /></div>
    </form>
  );
}

export function MemberRow({ slug, membershipId, email, name, role, canManage }: { slug: string; membershipId: string; email: string; name: string | null; role: string; canManage: boolean }) {
  const [state, action, pending] = useActionState(changeMemberAction, null);
  return (
    <li className="flex flex-col gap-2 py-3 sm:flex-row sm:items-center" data-testid={`member-${email}`}>
      <div className="flex-1">
        <p className="font-medium">{name ?? email}</p>
        <p className="text-sm text-slate-600">{email}</p>
      </div>
      {canManage ? (
        <form action={action} className="flex items-center gap-2">
          <input type="hidden" name="slug" value={slug} />
          <input type="hidden" name="membershipId" value={membershipId} />
          <label className="sr-only" htmlFor={`role-${membershipId}`}>Role for {email}</label>
          <select id={`role-${membershipId}`} name="role" defaultValue={role} className="rounded-md border border-slate-300 bg-white px-2 py-1.5 text-sm">
            {roles.map((r) => <option key={r} value={r}>{r}</option>)}
            <option value="REMOVE">Remove from workspace</option>
          </select>
          <Button type="submit" variant="secondary" disabled={pending}>Save</Button>
        </form>
      ) : (
        <span className="text-sm text-slate-700">{role}</span>
      )}
      <div className="sm:w-72"><FormMessage state={state} /></div>
    </li>
  );
}
