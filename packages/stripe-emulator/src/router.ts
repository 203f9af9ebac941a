import type { Emulator } from "./emulator";
import type { Params } from "./form";

export interface ApiContext {
  em: Emulator;
  method: string;
  path: string;
  /** Path parameters, e.g. `:id`. */
  params: Record<string, string>;
  /** Query string (GET, DELETE) and form body (POST) together. */
  p: Params;
}

export type ApiHandler = (ctx: ApiContext) => unknown;

interface Route {
  method: string;
  pattern: string;
  parts: string[];
  handler: ApiHandler;
}

/** Matches `METHOD /v1/things/:id` patterns in the order they were added. */
export class Router {
  private table: Route[] = [];

  add(method: string, pattern: string, handler: ApiHandler): this {
    this.table.push({ method, pattern, parts: pattern.split("/").filter(Boolean), handler });
    return this;
  }

  get(pattern: string, handler: ApiHandler): this {
    return this.add("GET", pattern, handler);
  }

  post(pattern: string, handler: ApiHandler): this {
    return this.add("POST", pattern, handler);
  }

  delete(pattern: string, handler: ApiHandler): this {
    return this.add("DELETE", pattern, handler);
  }

  /** Every route as `METHOD /pattern`. */
  routes(): string[] {
    return this.table.map((r) => `${r.method} ${r.pattern}`);
  }

  match(method: string, path: string): { handler: ApiHandler; params: Record<string, string>; route: string } | undefined {
    const segments = path.split("/").filter(Boolean);
    for (const route of this.table) {
      if (route.method !== method || route.parts.length !== segments.length) continue;
      const params: Record<string, string> = {};
      let ok = true;
      for (let i = 0; i < segments.length && ok; i++) {
        const part = route.parts[i]!;
        const seg = decodeURIComponent(segments[i]!);
        if (part.startsWith(":")) params[part.slice(1)] = seg;
        else ok = part === seg;
      }
      if (ok) return { handler: route.handler, params, route: `${method} ${route.pattern}` };
    }
    return undefined;
  }
}
