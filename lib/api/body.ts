import { isUtf8 } from "node:buffer";
import type { IncomingMessage } from "node:http";
import type { z } from "zod";
import { TIMESTAMP_FORMAT } from "@/lib/billing/validation";
import { AppError } from "@/lib/errors";
import { parseJson } from "./json";
import { invalid } from "./respond";

/** Largest request body the API reads; more is refused with 413 before it is parsed. */
export const MAX_BODY_BYTES = 1024 * 1024;
// Past the cap the rest of a body is read and dropped up to this much, so the client reads its 413
// instead of a reset connection; beyond it the connection is simply closed.
const DRAIN_LIMIT_BYTES = 16 * 1024 * 1024;

const JSON_TYPE = /^application\/json\s*(;|$)/i;

/** The request's JSON body validated by `schema`; 415, 413 and 400 as AppErrors. */
export async function readJson<S extends z.ZodType>(req: IncomingMessage, schema: S): Promise<z.infer<S>> {
  const { value, text } = await readJsonText(req);
  const r = schema.safeParse(value);
  if (!r.success) throw zodInvalid(r.error);
  // PostgreSQL's text cannot hold NUL: a field that holds one is bad input, not a failed write. Only a body that
  // writes the escape can hold one, so most bodies are never walked.
  const field = text.includes("\\u0000") ? nulField(r.data, "") : null;
  if (field !== null) throw invalid(`${field || "body"}: must not hold a NUL character (\\u0000).`, field || "body");
  return r.data;
}

async function readJsonText(req: IncomingMessage): Promise<{ value: unknown; text: string }> {
  if (!JSON_TYPE.test(req.headers["content-type"] ?? "")) {
    throw new AppError("unsupported_media_type", "Send the body as JSON with Content-Type: application/json.");
  }
  const bytes = await readCapped(req, Number(req.headers["content-length"] ?? "0") > MAX_BODY_BYTES);
  if (!isUtf8(bytes)) throw invalid("The request body is not valid UTF-8.", "body");
  // A leading byte-order mark is allowed and dropped, as a UTF-8 decoder does.
  const text = bytes.toString("utf8", bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : 0);
  if (!text.trim()) throw invalid("The request body is empty; send a JSON object.", "body");
  let value: unknown;
  try {
    value = parseJson(text);
  } catch {
    throw invalid("The request body is not valid JSON.", "body");
  }
  return { value, text };
}

// A usage event's fields that the engine judges itself, per event in a batch (so one event never fails its
// batch for them): metadata it refuses when it cannot be stored, a timestamp it refuses unless ISO 8601, and
// costs, whose action must be one of the plan's and whose models must have a price. The event's other fields are
// patterns NUL cannot pass.
const ENGINE_CHECKED = new Set(["metadata", "timestamp", "costs"]);

/** The path of the first string (or key) holding a NUL in what a schema accepted, or null. Schemas are shallow outside ENGINE_CHECKED. */
function nulField(v: unknown, path: string): string | null {
  if (typeof v === "string") return v.includes("\u0000") ? path : null;
  if (!v || typeof v !== "object") return null;
  for (const [k, x] of Object.entries(v)) {
    const at = path ? `${path}.${k}` : k;
    if (k.includes("\u0000")) return at;
    if (ENGINE_CHECKED.has(k) && !Array.isArray(v)) continue;
    const found = nulField(x, at);
    if (found !== null) return found;
  }
  return null;
}

/**
 * The whole body, or 413 once it passes MAX_BODY_BYTES (at once when the declared length already does).
 * A refused body is still read, up to DRAIN_LIMIT_BYTES, so the client gets to read the answer.
 */
function readCapped(req: IncomingMessage, declaredTooLarge: boolean): Promise<Buffer> {
  if (req.readableEnded) return Promise.resolve(Buffer.alloc(0));
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let total = 0;
    let over = declaredTooLarge;
    const onData = (chunk: Buffer) => {
      total += chunk.length;
      if (over) {
        if (total > DRAIN_LIMIT_BYTES) req.destroy();
        return;
      }
      if (total > MAX_BODY_BYTES) {
        over = true;
        chunks.length = 0;
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = () => {
      cleanup();
      if (over) reject(tooLarge());
      else resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, total));
    };
    // The client went away (or was cut off past the drain limit): nobody reads the answer, and nothing is applied.
    const onClose = () => {
      cleanup();
      reject(over ? tooLarge() : invalid("The request body ended early.", "body"));
    };
    const cleanup = () => {
      req.off("data", onData);
      req.off("end", onEnd);
      req.off("close", onClose);
      req.off("error", onClose);
    };
    req.on("data", onData);
    req.on("end", onEnd);
    req.on("close", onClose);
    req.on("error", onClose);
  });
}

const tooLarge = () => new AppError("payload_too_large", `The request body is larger than ${MAX_BODY_BYTES} bytes.`);

/** Zod's first issue as invalid_request naming the field, e.g. "events.3.units: Expected number". */
export function zodInvalid(error: z.ZodError): AppError {
  const issue = error.issues[0];
  const field = issue?.path.join(".") || "body";
  let message = issue?.message ?? "invalid";
  if (issue?.code === "unrecognized_keys") message = `unknown field${issue.keys.length > 1 ? "s" : ""} ${issue.keys.join(", ")}`;
  // A timestamp that is not even a string is as invalid a timestamp as a malformed one (the engine's code for those).
  if (issue?.path.at(-1) === "timestamp") {
    return new AppError("invalid_timestamp", `${field}: ${TIMESTAMP_FORMAT}`, { field });
  }
  return invalid(`${field}: ${message}`, field);
}
