import type { z } from "zod";
import { AppError } from "@/lib/errors";
import { invalid } from "./respond";

/** Largest request body the API reads; more is refused with 413 before it is parsed. */
export const MAX_BODY_BYTES = 1024 * 1024;
// Past the cap the rest of a body is read and dropped up to this much, so the client reads its 413
// instead of a reset connection; beyond it the connection is simply closed.
const DRAIN_LIMIT_BYTES = 16 * 1024 * 1024;

const JSON_TYPE = /^application\/json\s*(;|$)/i;

/** The request's JSON body validated by `schema`; 415, 413 and 400 as AppErrors. */
export async function readJson<S extends z.ZodType>(req: Request, schema: S): Promise<z.infer<S>> {
  const value = await readJsonValue(req);
  const r = schema.safeParse(value);
  if (!r.success) throw zodInvalid(r.error);
  return r.data;
}

export async function readJsonValue(req: Request): Promise<unknown> {
  if (!JSON_TYPE.test(req.headers.get("content-type") ?? "")) {
    throw new AppError("unsupported_media_type", "Send the body as JSON with Content-Type: application/json.");
  }
  const declared = Number(req.headers.get("content-length") ?? "0");
  if (declared > MAX_BODY_BYTES) {
    await drain(req.body, 0);
    throw tooLarge();
  }
  const text = await readCapped(req.body);
  if (!text.trim()) throw invalid("The request body is empty; send a JSON object.", "body");
  try {
    return JSON.parse(text);
  } catch {
    throw invalid("The request body is not valid JSON.", "body");
  }
}

async function readCapped(body: ReadableStream<Uint8Array> | null): Promise<string> {
  if (!body) return "";
  const reader = body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > MAX_BODY_BYTES) {
      await drainReader(reader, total);
      throw tooLarge();
    }
    chunks.push(value);
  }
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(Buffer.concat(chunks));
  } catch {
    throw invalid("The request body is not valid UTF-8.", "body");
  }
}

async function drain(body: ReadableStream<Uint8Array> | null, seen: number) {
  if (body) await drainReader(body.getReader(), seen);
}

async function drainReader(reader: ReadableStreamDefaultReader<Uint8Array>, seen: number) {
  try {
    while (seen <= DRAIN_LIMIT_BYTES) {
      const { done, value } = await reader.read();
      if (done) return;
      seen += value.byteLength;
    }
    await reader.cancel();
  } catch {
    // The client went away: nothing left to answer.
  }
}

const tooLarge = () => new AppError("payload_too_large", `The request body is larger than ${MAX_BODY_BYTES} bytes.`);

/** Zod's first issue as invalid_request naming the field, e.g. "events.3.units: Expected number". */
export function zodInvalid(error: z.ZodError): AppError {
  const issue = error.issues[0];
  const field = issue?.path.join(".") || "body";
  let message = issue?.message ?? "invalid";
  if (issue?.code === "unrecognized_keys") message = `unknown field${issue.keys.length > 1 ? "s" : ""} ${issue.keys.join(", ")}`;
  return invalid(`${field}: ${message}`, field);
}
