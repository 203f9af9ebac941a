import { Card } from "@/components/ui/card";
import { listApiKeys, type ApiKeyListItem } from "@/lib/api-keys";
import { db } from "@/lib/db";
import { requireWorkspacePage } from "@/lib/server/session";
import { can } from "@/lib/workspaces/access";
import { CreateKeyForm, RevokeKeyForm } from "./key-forms";
import { formatDateTime, roleLabel } from "@/lib/format";
import { Badge } from "@/components/ui/badge";

export const metadata = { title: "API keys" };


function When({ at, empty }: { at: Date | null; empty: string }) {
  return at ? <time dateTime={at.toISOString()}>{formatDateTime(at)}</time> : <span className="text-slate-500">{empty}</span>;
}

export default async function ApiKeysPage({ params }: { params: Promise<{ slug: string }> }) {
  const { slug } = await params;
  const { workspace, role } = await requireWorkspacePage(slug);
  const keys = await listApiKeys(db(), workspace.id);
  const canManage = can(role, "billing");
  const active = keys.filter((k) => !k.revokedAt).length;
  return (
    <div className="space-y-6">
      <div>
        <h1 className="text-2xl font-semibold">API keys</h1>
        <p className="text-sm text-slate-600">
          Your backend reports usage and checks quotas with these keys through the metering API (
          <a className="text-brand-700 underline underline-offset-2" href="/api/v1/openapi.json">OpenAPI document</a>).
        </p>
      </div>
      {canManage ? (
        <Card title="Create a key">
          <CreateKeyForm slug={slug} />
        </Card>
      ) : (
        <p className="rounded-md bg-slate-100 px-3 py-2 text-sm text-slate-700">Only owners and admins can create or revoke keys.</p>
      )}
      <Card title={`${active} active ${active === 1 ? "key" : "keys"}`}>
        {keys.length === 0 ? (
          <p className="text-sm text-slate-600">No keys yet.</p>
        ) : (
          <ul className="divide-y divide-slate-200" aria-label="API keys">
            {keys.map((k) => <KeyRow key={k.id} apiKey={k} slug={slug} canManage={canManage} />)}
          </ul>
        )}
      </Card>
    </div>
  );
}

function Creator({ apiKey: k }: { apiKey: ApiKeyListItem }) {
  if (!k.createdBy) return <span className="text-slate-500">Unknown</span>;
  const { name, email } = k.createdBy;
  return <span>{name ? `${name} (${email})` : email}</span>;
}

/** Why an active key is flagged: its creator saw the secret and is no longer trusted with the workspace's keys. */
function creatorWarning(k: ApiKeyListItem): string | null {
  if (!k.creatorLostAccess || !k.createdBy) return null;
  const who = k.createdBy.email;
  const standing = k.createdBy.role ? `is now a ${roleLabel(k.createdBy.role).toLowerCase()} and can no longer manage keys` : "is no longer a member of this workspace";
  return `${who} ${standing}, but has seen this key. Replace it with a new key and revoke this one, unless you know where its secret is kept.`;
}

function KeyRow({ apiKey: k, slug, canManage }: { apiKey: ApiKeyListItem; slug: string; canManage: boolean }) {
  const warning = creatorWarning(k);
  return (
    <li className="flex flex-col gap-3 py-4 sm:flex-row sm:items-start" data-testid={`api-key-${k.prefix}`}>
      <div className="min-w-0 flex-1 space-y-1">
        <p className="flex flex-wrap items-center gap-2">
          <span className="font-medium">{k.name}</span>
          {k.revokedAt ? <Badge>Revoked</Badge> : <Badge tone="success">Active</Badge>}
          {warning && <Badge tone="warning">Creator lost access</Badge>}
        </p>
        <p className="font-mono text-sm text-slate-700">{k.prefix}_…</p>
        <dl className="grid grid-cols-[auto_1fr] gap-x-3 text-xs text-slate-600 sm:grid-cols-[auto_1fr_auto_1fr]">
          <dt>Created</dt>
          <dd><When at={k.createdAt} empty="" /></dd>
          <dt>Created by</dt>
          <dd className="break-all"><Creator apiKey={k} /></dd>
          <dt>Last used</dt>
          <dd><When at={k.lastUsedAt} empty="Never" /></dd>
          {k.revokedAt && (
            <>
              <dt>Revoked</dt>
              <dd><When at={k.revokedAt} empty="" /></dd>
            </>
          )}
        </dl>
        {warning && <p className="rounded-md bg-amber-50 px-3 py-2 text-sm text-amber-900" data-testid="creator-warning">{warning}</p>}
      </div>
      {canManage && !k.revokedAt && (
        <div className="sm:w-80 sm:text-right">
          <RevokeKeyForm slug={slug} keyId={k.id} name={k.name} />
        </div>
      )}
    </li>
  );
}
