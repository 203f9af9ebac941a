"use server";

import { revalidatePath } from "next/cache";
import { z } from "zod";
import { addModelPriceVersion } from "@/lib/admin/model-prices";
import { db } from "@/lib/db";
import { AppError } from "@/lib/errors";
import { formAction } from "@/lib/server/action";
import { requireOperatorAction } from "@/lib/server/operator";
import { parseUtcDateTime } from "@/lib/dates";

const dollars = z.string().trim().regex(/^\d{1,9}(\.\d{1,6})?$/, "Dollars per million tokens, like 2.5 (up to 6 decimals).");
// An ISO date or date and time, read as UTC: "2026-12-01" or "2026-12-01T09:30".
const WHEN_RE = /^\d{4}-\d\d-\d\d(T\d\d:\d\d)?$/;

export const addModelPriceAction = formAction(
  z.object({
    provider: z.string().trim().regex(/^[A-Za-z0-9._-]{1,64}$/, "A provider name like openai."),
    model: z.string().trim().regex(/^[A-Za-z0-9._:/-]{1,128}$/, "A model name like gpt-4o."),
    input: dollars,
    output: dollars,
    effectiveFrom: z.union([z.literal(""), z.string().trim().regex(WHEN_RE, "A UTC date like 2026-12-01 or 2026-12-01T09:30; blank for now.")]).optional(),
  }),
  async (input) => {
    const op = await requireOperatorAction();
    let effectiveFrom: Date | null = null;
    if (input.effectiveFrom) {
      effectiveFrom = parseUtcDateTime(input.effectiveFrom);
      if (!effectiveFrom) throw new AppError("invalid_request", `There is no such time as ${input.effectiveFrom}.`, { field: "effectiveFrom" });
    }
    const r = await addModelPriceVersion(db(), op, { provider: input.provider, model: input.model, input: input.input, output: input.output, effectiveFrom });
    revalidatePath("/admin/model-prices");
    const from = r.version.effectiveFrom.toISOString().replace(".000Z", "Z").replace("T", " ");
    return { ok: true, message: r.created ? `${input.provider}/${input.model}: $${input.input} in, $${input.output} out per million tokens from ${from} UTC. Usage before then keeps its price.` : `This version was already added (from ${from} UTC).` };
  },
);
