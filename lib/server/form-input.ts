/** The name of the first form field whose value holds a NUL character (PostgreSQL's text cannot store one), or null. */
export function fieldWithNul(form: FormData): string | null {
  for (const [key, value] of form) if (typeof value === "string" && value.includes("\u0000")) return key;
  return null;
}
