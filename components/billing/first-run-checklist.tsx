"use client";

import Link from "next/link";
import { useActionState } from "react";
import { Check, CircleCheck, Circle, Copy, X } from "lucide-react";
import { Button } from "@/components/ui/button";
import { useCopy } from "@/components/ui/use-copy";
import { FormMessage } from "@/components/ui/form-message";
import type { FirstRunState } from "@/lib/billing-views/first-run";
import type { FormState } from "@/lib/server/action";
import type { CreateKeyState } from "@/app/(app)/w/[slug]/api-keys/actions";
import { useAutoRefresh } from "./use-auto-refresh";

type CreateKey = (prev: CreateKeyState, form: FormData) => Promise<CreateKeyState>;
type Dismiss = (prev: FormState, form: FormData) => Promise<FormState>;

// While the page waits for the first event: every 3 s for a minute, then every 10 s, for at most 10 minutes.
const PACE = { fastMs: 3_000, fastForMs: 60_000, slowMs: 10_000, giveUpAfterMs: 600_000 };
const KEY_PLACEHOLDER = "$TALLY_API_KEY";

/**
 * A new workspace's way to its first metered event: create a key, send one unit with curl, see the compute bar
 * count it. Steps tick from what exists on the server (a key, an event); a key created here is put into the
 * command, since this is the only time it can be shown.
 */
export function FirstRunChecklist({ slug, state, command, createKey, dismiss }: {
  slug: string;
  state: FirstRunState;
  /** The curl command with `$TALLY_API_KEY` where the key goes. */
  command: string;
  createKey: CreateKey;
  dismiss: Dismiss;
}) {
  const [created, createAction, creating] = useActionState(createKey, null);
  const [dismissed, dismissAction] = useActionState(dismiss, null);
  const secret = created?.secret ?? null;
  const hasKey = state.hasKey || secret !== null;
  const { gaveUp, retry } = useAutoRefresh(hasKey && !state.hasEvent, PACE);
  const steps = [hasKey, state.hasEvent, state.hasMainMeterEvent];
  const done = steps.filter(Boolean).length;
  const shown = secret ? command.replace(KEY_PLACEHOLDER, secret) : command;

  return (
    <section aria-labelledby="first-run-heading" data-testid="first-run" className="rounded-xl border border-brand-200 bg-white p-5 shadow-sm">
      <div className="flex items-start justify-between gap-3">
        <div className="min-w-0">
          <h2 id="first-run-heading" className="text-base font-semibold tracking-tight text-slate-900">Get started: meter your first event</h2>
          <p className="mt-0.5 text-sm text-slate-600" data-testid="first-run-progress">{done} of 3 steps done</p>
        </div>
        <form action={dismissAction}>
          <input type="hidden" name="slug" value={slug} />
          {dismissed && !dismissed.ok ? <FormMessage state={dismissed} /> : null}
          <Button type="submit" variant="ghost" size="icon" aria-label="Dismiss the getting started checklist" title="Dismiss">
            <X aria-hidden="true" />
          </Button>
        </form>
      </div>
      <ol className="mt-4 space-y-4">
        <Step n={1} done={hasKey} title="Create an API key" testId="first-run-key">
          {hasKey ? (
            <p>Your backend sends usage with it. Keys are listed on the <Link href={`/w/${slug}/api-keys`} className="text-brand-700 underline underline-offset-2">API keys page</Link>.</p>
          ) : (
            <>
              <p>Your backend authenticates to the metering API with a key. Create one here, or on the <Link href={`/w/${slug}/api-keys`} className="text-brand-700 underline underline-offset-2">API keys page</Link>.</p>
              <form action={createAction} className="mt-2 flex flex-col gap-2 sm:flex-row sm:items-end">
                <input type="hidden" name="slug" value={slug} />
                <label className="flex min-w-0 flex-1 flex-col gap-1 text-sm font-medium text-slate-800">
                  Key name
                  <input name="name" required maxLength={80} defaultValue="My first key" className="rounded-md border border-slate-300 px-3 py-2 font-normal" />
                </label>
                <Button type="submit" disabled={creating}>{creating ? "Creating…" : "Create a key"}</Button>
              </form>
              <FormMessage state={created} />
            </>
          )}
        </Step>
        <Step n={2} done={state.hasEvent} title="Send a first event" testId="first-run-event">
          <p>{secret ? "Run this from a terminal: it holds your new key." : "Run this from a terminal, with your key in TALLY_API_KEY."}</p>
          <CommandBlock command={shown} />
          {secret ? (
            <p className="mt-1 text-xs text-amber-900" data-testid="first-run-key-note">This is the only time the key is shown: copy it into your backend&apos;s secrets now.</p>
          ) : (
            <p className="mt-1 text-xs text-slate-600" data-testid="first-run-key-note">A key is shown only once, when it is created: use the one you saved, or create a new one.</p>
          )}
        </Step>
        <Step n={3} done={state.hasMainMeterEvent} title="See the bar move" testId="first-run-bar">
          <p>The compute bar below counts the unit as soon as it arrives.</p>
          {hasKey && !state.hasEvent && (
            <p className="mt-1 text-xs text-slate-600" role="status">
              {gaveUp ? <>Nothing has arrived yet. <button type="button" onClick={retry} className="font-medium text-brand-700 underline underline-offset-2">Check again</button></> : "Waiting for your first event; this page checks by itself."}
            </p>
          )}
        </Step>
      </ol>
    </section>
  );
}

function Step({ n, done, title, testId, children }: { n: number; done: boolean; title: string; testId: string; children: React.ReactNode }) {
  return (
    <li data-testid={testId} data-done={done} className="flex gap-3">
      {done
        ? <CircleCheck aria-hidden="true" className="mt-0.5 size-5 shrink-0 text-green-700" />
        : <Circle aria-hidden="true" className="mt-0.5 size-5 shrink-0 text-slate-400" />}
      <div className="min-w-0 flex-1 text-sm text-slate-700">
        <p className={`font-medium ${done ? "text-slate-600" : "text-slate-900"}`}>
          {/* Said in words too, not only by the icon's colour. */}
          <span className="sr-only">Step {n}, {done ? "done" : "to do"}: </span>{title}
          {done && <span aria-hidden="true" className="ml-2 text-xs font-normal text-green-800">Done</span>}
        </p>
        <div className="mt-1">{children}</div>
      </div>
    </li>
  );
}

function CommandBlock({ command }: { command: string }) {
  const { copied, copy } = useCopy(command);
  return (
    <div className="mt-2 overflow-hidden rounded-md bg-slate-900">
      <div className="flex items-center justify-between gap-2 border-b border-slate-700 py-1.5 pl-3 pr-1.5">
        <span className="text-xs font-medium text-slate-300">Terminal</span>
        <button type="button" onClick={copy} className="inline-flex items-center gap-1.5 rounded px-2 py-1 text-xs font-medium text-slate-100 hover:bg-slate-700 focus-visible:outline-2 focus-visible:outline-white">
          {copied ? <Check aria-hidden="true" className="size-3.5" /> : <Copy aria-hidden="true" className="size-3.5" />}{copied ? "Copied" : "Copy command"}
        </button>
      </div>
      <pre tabIndex={0} aria-label="curl command for a first event" data-testid="first-run-command" className="overflow-x-auto p-3 font-mono text-xs leading-relaxed text-slate-100">{command}</pre>
    </div>
  );
}
