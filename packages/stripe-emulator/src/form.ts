import { missingParam, parameterError } from "./errors";

/** A decoded form value: Stripe's bodies are strings nested by `a[b][0][c]` keys. */
export type FormValue = string | FormValue[] | FormObject;
export interface FormObject {
  [key: string]: FormValue;
}

/** Decodes `application/x-www-form-urlencoded` text (or a query string) into nested values. */
export function parseForm(text: string): FormObject {
  const root: FormObject = {};
  if (!text) return root;
  for (const pair of text.split("&")) {
    if (!pair) continue;
    const eq = pair.indexOf("=");
    const rawKey = eq < 0 ? pair : pair.slice(0, eq);
    const rawValue = eq < 0 ? "" : pair.slice(eq + 1);
    const key = decode(rawKey);
    const value = decode(rawValue);
    assign(root, splitKey(key), value);
  }
  return compact(root) as FormObject;
}

function decode(s: string): string {
  try {
    return decodeURIComponent(s.replace(/\+/g, " "));
  } catch {
    return s;
  }
}

function splitKey(key: string): string[] {
  const first = key.indexOf("[");
  if (first < 0) return [key];
  const parts = [key.slice(0, first)];
  const re = /\[([^\]]*)\]/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(key.slice(first)))) parts.push(m[1]!);
  return parts;
}

type Container = FormObject | FormValue[];

function assign(target: Container, path: string[], value: string): void {
  let node: Container = target;
  for (let i = 0; i < path.length; i++) {
    const part = path[i]!;
    const last = i === path.length - 1;
    const next = path[i + 1];
    const wantsArray = next === "" || (next !== undefined && /^\d+$/.test(next));
    if (Array.isArray(node)) {
      const index = part === "" ? node.length : Number(part);
      if (last) node[index] = value;
      else {
        if (node[index] === undefined || typeof node[index] === "string") node[index] = wantsArray ? [] : {};
        node = node[index] as Container;
      }
    } else {
      if (last) node[part] = value;
      else {
        const existing = node[part];
        if (existing === undefined || typeof existing === "string") node[part] = wantsArray ? [] : {};
        node = node[part] as Container;
      }
    }
  }
}

function compact(value: FormValue): FormValue {
  if (typeof value === "string") return value;
  if (Array.isArray(value)) return value.filter((v) => v !== undefined).map(compact);
  const out: FormObject = {};
  for (const [k, v] of Object.entries(value)) out[k] = compact(v);
  return out;
}

/** Typed access to a decoded form object, naming parameters as Stripe does in its errors. */
export class Params {
  constructor(
    readonly raw: FormObject,
    private readonly prefix = "",
  ) {}

  name(key: string): string {
    return this.prefix ? `${this.prefix}[${key}]` : key;
  }

  has(key: string): boolean {
    return this.raw[key] !== undefined;
  }

  str(key: string): string | undefined {
    const v = this.raw[key];
    if (v === undefined) return undefined;
    if (typeof v !== "string") throw parameterError(`Invalid string: ${JSON.stringify(v)}`, this.name(key));
    return v;
  }

  reqStr(key: string): string {
    const v = this.str(key);
    if (v === undefined || v === "") throw missingParam(this.name(key));
    return v;
  }

  /** A string, or null when sent empty (Stripe's way to unset a field). */
  nullableStr(key: string): string | null | undefined {
    const v = this.str(key);
    return v === "" ? null : v;
  }

  oneOf<T extends string>(key: string, allowed: readonly T[]): T | undefined {
    const v = this.str(key);
    if (v === undefined) return undefined;
    if (!(allowed as readonly string[]).includes(v))
      throw parameterError(`Invalid ${key}: must be one of ${allowed.join(", ")}`, this.name(key));
    return v as T;
  }

  int(key: string): number | undefined {
    const v = this.str(key);
    if (v === undefined || v === "") return undefined;
    if (!/^-?\d+$/.test(v)) throw parameterError(`Invalid integer: ${v}`, this.name(key));
    return Number(v);
  }

  reqInt(key: string): number {
    const v = this.int(key);
    if (v === undefined) throw missingParam(this.name(key));
    return v;
  }

  bool(key: string): boolean | undefined {
    const v = this.str(key);
    if (v === undefined || v === "") return undefined;
    if (v !== "true" && v !== "false") throw parameterError(`Invalid boolean: ${v}`, this.name(key));
    return v === "true";
  }

  obj(key: string): Params | undefined {
    const v = this.raw[key];
    if (v === undefined || v === "") return undefined;
    if (typeof v === "string" || Array.isArray(v)) throw parameterError(`Invalid object`, this.name(key));
    return new Params(v, this.name(key));
  }

  list(key: string): Params[] {
    const v = this.raw[key];
    if (v === undefined || v === "") return [];
    const items = Array.isArray(v) ? v : Object.values(v);
    return items.map((item, i) => {
      if (typeof item === "string" || Array.isArray(item)) throw parameterError(`Invalid array`, `${this.name(key)}[${i}]`);
      return new Params(item, `${this.name(key)}[${i}]`);
    });
  }

  strings(key: string): string[] {
    const v = this.raw[key];
    if (v === undefined || v === "") return [];
    if (typeof v === "string") return [v];
    const items = Array.isArray(v) ? v : Object.values(v);
    return items.filter((x): x is string => typeof x === "string");
  }

  /** `metadata[k]=v` pairs; an empty value removes that key when merged. */
  metadata(key = "metadata"): Record<string, string> | undefined {
    const v = this.raw[key];
    if (v === undefined) return undefined;
    if (v === "") return {};
    if (typeof v === "string" || Array.isArray(v)) throw parameterError("Invalid hash", this.name(key));
    const out: Record<string, string> = {};
    for (const [k, val] of Object.entries(v)) if (typeof val === "string") out[k] = val;
    return out;
  }
}

/** Merges metadata as Stripe does: empty values delete keys; an empty object clears nothing. */
export function mergeMetadata(current: Record<string, string>, patch: Record<string, string> | undefined, raw?: FormValue): Record<string, string> {
  if (patch === undefined) return current;
  if (raw === "") return {};
  const out = { ...current };
  for (const [k, v] of Object.entries(patch)) {
    if (v === "") delete out[k];
    else out[k] = v;
  }
  return out;
}
