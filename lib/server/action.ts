// Server actions return a FormState instead of throwing, so forms can show what went wrong.
import type { z } from "zod";
import { isAppError } from "@/lib/errors";
import { fieldWithNul } from "./form-input";
import { requireSameOrigin } from "./origin";

export type FormState = { ok: boolean; message?: string; fieldErrors?: Record<string, string> } | null;

export function fieldErrorsOf(error: z.ZodError): Record<string, string> {
  const out: Record<string, string> = {};
  for (const issue of error.issues) {
    const key = String(issue.path[0] ?? "form");
    out[key] ??= issue.message;
  }
  return out;
}

/** Parses the form with `schema`, runs `fn`, and maps AppErrors to a visible message. Redirects pass through. */
export function formAction<S extends z.ZodType>(schema: S, fn: (input: z.infer<S>, form: FormData) => Promise<FormState | void>) {
  return async (_prev: FormState, form: FormData): Promise<FormState> => {
    // Before anything else: a cross-site or hand-made post with someone's cookie changes nothing.
    try {
      await requireSameOrigin();
    } catch (e) {
      if (isAppError(e)) return { ok: false, message: e.message };
      throw e;
    }
    // PostgreSQL's text cannot hold NUL: a field that holds one is the sender's mistake, said beside it, not a failed write.
    const nul = fieldWithNul(form);
    if (nul !== null) return { ok: false, message: "Please fix the highlighted fields.", fieldErrors: { [nul]: "Remove the NUL character (\\u0000)." } };
    const parsed = schema.safeParse(Object.fromEntries(form));
    if (!parsed.success) return { ok: false, message: "Please fix the highlighted fields.", fieldErrors: fieldErrorsOf(parsed.error) };
    try {
      return (await fn(parsed.data, form)) ?? { ok: true };
    } catch (e) {
      if (isAppError(e)) {
        const field = typeof e.details?.field === "string" ? e.details.field : undefined;
        return { ok: false, message: e.message, ...(field ? { fieldErrors: { [field]: e.message } } : {}) };
      }
      throw e;
    }
  };
}
