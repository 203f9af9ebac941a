import { Card } from "@/components/ui/card";
import { listPlatformKeys, type PlatformKeySummary } from "@/lib/platform-keys";
import { db } from "@/lib/db";
import { CreatePlatformKeyForm, RevokePlatformKeyForm } from "./key-forms";
import { requireOperatorPage } from "@/lib/server/operator";

export const dynamic = "force-dynamic";
export const metadata = { title: "Platform keys · Console" };

const dateTime = new Intl.DateTimeFormat("en-US", { dateStyle: "medium", timeStyle: "short", timeZone: "UTC" });

function When({ at, empty }: { at: Date | null; empty: string }) {
  return at ? <time dateTime={at.toISOString()}>{dateTime.format(at)} UTC</time> : <span className="text-slate-500">{empty}</span>;
}

export default async function PlatformKeysPage() {
  await requireOperatorPage();
  const keys = await listPlatformKeys(db());
  const active = keys.filter((k) => !k.revokedAt).length;
  return (
    <div className="space-y-5">
      <div>
        <h1 className="text-2xl font-semibold text-slate-900">Platform keys</h1>
        <p className="text-sm text-slate-600">
          Your backend&apos;s keys for every workspace at once: provision workspaces by your own ids, start checkouts, claim seats and report usage for any
          customer. Each request names its workspace with <code>workspace</code> (a Tally id or your externalId).
        </p>
      </div>
      <Card title="Create a platform key">
        <CreatePlatformKeyForm />
      </Card>
      <Card title={`${active} active ${active === 1 ? "key" : "keys"}`}>
        {keys.length === 0 ? (
          <p className="text-sm text-slate-600">No platform keys yet.</p>
        ) : (
          <ul className="divide-y divide-slate-200" aria-label="Platform keys">
            {keys.map((k) => <KeyRow key={k.id} platformKey={k} />)}
          </ul>
        )}
      </Card>
    </div>
  );
}

function KeyRow({ platformKey: k }: { platformKey: PlatformKeySummary }) {
  return (
    <li className="flex flex-col gap-3 py-4 sm:flex-row sm:items-start" data-testid={`platform-key-${k.prefix}`}>
      <div className="min-w-0 flex-1 space-y-1">
        <p className="flex flex-wrap items-center gap-2">
          <span className="font-medium">{k.name}</span>
          {k.revokedAt ? (
            <span className="rounded bg-slate-200 px-2 py-0.5 text-xs font-medium text-slate-700">Revoked</span>
          ) : (
            <span className="rounded bg-green-100 px-2 py-0.5 text-xs font-medium text-green-800">Active</span>
          )}
        </p>
        <p className="break-all font-mono text-sm text-slate-700">{k.prefix}_…</p>
        <dl className="grid grid-cols-[auto_1fr] gap-x-3 text-xs text-slate-600 sm:grid-cols-[auto_1fr_auto_1fr]">
          <dt>Created</dt>
          <dd><When at={k.createdAt} empty="" /></dd>
          <dt>Last used</dt>
          <dd><When at={k.lastUsedAt} empty="Never" /></dd>
          {k.revokedAt && (
            <>
              <dt>Revoked</dt>
              <dd><When at={k.revokedAt} empty="" /></dd>
            </>
          )}
        </dl>
      </div>
      {!k.revokedAt && (
        <div className="sm:w-80 sm:text-right">
          <RevokePlatformKeyForm keyId={k.id} name={k.name} />
        </div>
      )}
    </li>
  );
}
