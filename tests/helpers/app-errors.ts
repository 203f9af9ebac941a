import { isAppError } from "@/lib/errors";

/** "ok" when the promise fulfils, the AppError code when it is refused; any other failure is rethrown. */
export async function codeOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
    return "ok";
  } catch (e) {
    if (isAppError(e)) return e.code;
    throw e;
  }
}
