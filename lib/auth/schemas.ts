import { z } from "zod";

export const emailSchema = z.string().trim().toLowerCase().pipe(z.email({ error: "Enter a valid email address." })).pipe(z.string().max(254));
export const passwordSchema = z.string().min(8, { error: "Use at least 8 characters." }).max(200, { error: "Use at most 200 characters." });

export const signUpSchema = z.object({
  name: z.string().trim().max(100).optional().default(""),
  email: emailSchema,
  password: passwordSchema,
  workspace: z.string().trim().max(60).optional().default(""),
});

export const signInSchema = z.object({ email: emailSchema, password: z.string().min(1).max(200) });

/** A token from an emailed link, posted back by the page the link opened. */
export const tokenFormSchema = z.object({ token: z.string().min(1).max(200) });

export const forgotPasswordSchema = z.object({ email: emailSchema });
export const resetPasswordSchema = z.object({ token: z.string().min(1).max(200), password: passwordSchema });
export const changePasswordSchema = z.object({ current: z.string().min(1, { error: "Enter your current password." }).max(200), password: passwordSchema });
