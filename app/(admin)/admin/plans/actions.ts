"use server";

import { revalidatePath } from "next/cache";
import { redirect } from "next/navigation";
import { z } from "zod";
import { runMigration, startMigration } from "@/lib/admin/plan-migrations";
import { archivePlanVersion, diffSpecs, publishPlanVersion, restorePlanVersion, specDigest, specFromForm, specOf, type DiffLine } from "@/lib/admin/plans";
import { db } from "@/lib/db";
import { AppError } from "@/lib/errors";
import { formAction, type FormState } from "@/lib/server/action";
import { requireOperatorAction } from "@/lib/server/operator";

const id = z.string().min(1).max(100);

/** The editor's answer: a review carries the diff and its digest, which the publish must send back. */
export type EditorState = (NonNullable<FormState> & { diff?: DiffLine[]; digest?: string; published?: { key: string; version: number } }) | null;

/**
 * The plan editor: `review` shows what the new version changes against the current one, `publish` creates it
 * (only for the fields just reviewed) and syncs its Stripe prices.
 */
export const planVersionAction: (prev: EditorState, form: FormData) => Promise<EditorState> = formAction(
  z.object({ key: z.string().regex(/^[a-z0-9_-]{1,60}$/, "Not a plan key."), basedOnPlanId: id, intent: z.enum(["review", "publish"]), digest: z.string().max(100).optional() }),
  async (input, form) => {
    const op = await requireOperatorAction();
    const base = await db().plan.findUnique({ where: { id: input.basedOnPlanId }, include: { entitlements: true } });
    if (!base || base.key !== input.key) throw new AppError("not_found", "Plan not found.");
    const fields = Object.fromEntries([...form.entries()].filter((e): e is [string, string] => typeof e[1] === "string"));
    const spec = specFromForm(specOf(base), fields);
    const diff = diffSpecs(specOf(base), spec);
    const digest = specDigest(base.id, spec);
    if (input.intent === "review") {
      const message = diff.length ? `${diff.length} ${diff.length === 1 ? "change" : "changes"} from ${base.name} v${base.version}; publishing creates v${base.version + 1}.` : "Nothing differs from the current version yet.";
      return { ok: true, message, diff, digest } as EditorState;
    }
    if (input.digest !== digest) return { ok: false, message: "The fields changed since the last review: review the changes again before publishing." };
    const r = await publishPlanVersion(db(), op, { basedOnPlanId: base.id, spec });
    revalidatePath("/admin/plans");
    const stripe = "error" in r.stripeSync
      ? ` Its Stripe prices could not be created yet (${r.stripeSync.error}); the reconcile cron retries.`
      : r.plan.monthlyPriceCents > 0 ? " Its Stripe prices are created." : "";
    return { ok: true, message: `Published ${r.plan.name} v${r.plan.version}: new subscriptions get it; existing ones keep theirs.${stripe}`, published: { key: r.plan.key, version: r.plan.version } } as EditorState;
  },
);

export const archivePlanAction = formAction(z.object({ planId: id, memo: z.string().trim().max(500).optional() }), async (input) => {
  const op = await requireOperatorAction();
  const r = await archivePlanVersion(db(), op, { planId: input.planId, memo: input.memo || null });
  revalidatePath("/admin/plans");
  return { ok: true, message: r.archived ? `${r.plan.name} v${r.plan.version} is archived: no new subscriptions; the existing ones keep it.` : "Already archived." };
});

export const restorePlanAction = formAction(z.object({ planId: id }), async (input) => {
  const op = await requireOperatorAction();
  const r = await restorePlanVersion(db(), op, { planId: input.planId });
  revalidatePath("/admin/plans");
  return { ok: true, message: r.restored ? `${r.plan.name} v${r.plan.version} is offered again.` : "Already offered." };
});

/** Freezes the preview as a migration and runs its first batch; the migration's page shows the rest. */
export const startMigrationAction = formAction(z.object({ fromPlanId: id, toPlanId: id }), async (input) => {
  const op = await requireOperatorAction();
  const { migration } = await startMigration(db(), op, { fromPlanId: input.fromPlanId, toPlanId: input.toPlanId });
  await runMigration(db(), op, { migrationId: migration.id, deadline: Date.now() + 20_000 }).catch((e: unknown) => {
    // Another run holds it (a double submit): its page shows the progress.
    if (!(e instanceof AppError && e.code === "conflict")) throw e;
  });
  redirect(`/admin/plans/migrations/${migration.id}`);
});

/** Runs a migration for up to 20 seconds from its cursor (it says how far it got; run again to go on). */
export const runMigrationAction = formAction(z.object({ migrationId: id }), async (input) => {
  const op = await requireOperatorAction();
  const r = await runMigration(db(), op, { migrationId: input.migrationId, deadline: Date.now() + 20_000 });
  revalidatePath(`/admin/plans/migrations/${input.migrationId}`);
  if (r.migration.status === "done") return { ok: true, message: `Done: ${r.moved} moved, ${r.skipped} skipped. Running it again changes nothing.` };
  return { ok: r.failed === 0, message: `${r.moved} moved, ${r.pending} to go, ${r.failed} failed (retried on the next run). Run it again to go on.` };
});
