// What a bench suite is, and the measuring loop they share.

export interface Figure {
  name: string;
  value: number;
  unit: string;
}

export interface BenchSuite {
  /** Selects the suite on the command line: `npm run bench -- <name>`. */
  name: string;
  description: string;
  /** Runs the suite, calling `report` once per figure as it is measured. Must clean up after itself. */
  run(report: (figure: Figure) => void): Promise<void>;
}

export interface LoadResult {
  requests: number;
  errors: number;
  seconds: number;
  latenciesMs: number[];
}

/**
 * Runs `op` from `concurrency` callers in a loop until `durationMs` passes or `maxRequests` complete.
 * Each caller awaits its previous request before the next (a closed loop), as an app instance would.
 */
export async function load(opts: {
  concurrency: number;
  durationMs: number;
  maxRequests?: number;
  op: (caller: number, seq: number) => Promise<unknown>;
}): Promise<LoadResult> {
  const latenciesMs: number[] = [];
  let started = 0;
  let errors = 0;
  let firstError: unknown;
  const max = opts.maxRequests ?? Number.POSITIVE_INFINITY;
  const t0 = performance.now();
  const deadline = t0 + opts.durationMs;
  await Promise.all(
    Array.from({ length: opts.concurrency }, async (_, caller) => {
      while (performance.now() < deadline && started < max) {
        const seq = started++;
        const s = performance.now();
        try {
          await opts.op(caller, seq);
          latenciesMs.push(performance.now() - s);
        } catch (e) {
          errors++;
          firstError ??= e;
        }
      }
    }),
  );
  if (firstError) console.error("bench: first error:", firstError);
  return { requests: latenciesMs.length, errors, seconds: (performance.now() - t0) / 1000, latenciesMs };
}

/** Adds up several runs of the same scenario (interleaved with others, so load drift affects all alike). */
export function merge(results: LoadResult[]): LoadResult {
  return {
    requests: results.reduce((s, r) => s + r.requests, 0),
    errors: results.reduce((s, r) => s + r.errors, 0),
    seconds: results.reduce((s, r) => s + r.seconds, 0),
    latenciesMs: results.flatMap((r) => r.latenciesMs),
  };
}

export function percentile(values: number[], p: number): number {
  if (!values.length) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

export const round = (v: number, digits = 1) => Math.round(v * 10 ** digits) / 10 ** digits;

/** The figures every load scenario reports: `<prefix>.throughput`, `.p50`, `.p99`, `.errors`. */
export function loadFigures(prefix: string, r: LoadResult): Figure[] {
  return [
    { name: `${prefix}.throughput`, value: round(r.requests / r.seconds), unit: "req/s" },
    { name: `${prefix}.p50`, value: round(percentile(r.latenciesMs, 50), 2), unit: "ms" },
    { name: `${prefix}.p99`, value: round(percentile(r.latenciesMs, 99), 2), unit: "ms" },
    { name: `${prefix}.errors`, value: r.errors, unit: "count" },
  ];
}
