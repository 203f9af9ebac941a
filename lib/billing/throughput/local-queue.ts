// In-process helpers that only save work. Correctness never depends on them: the database's row locks
// and unique constraints decide, across any number of instances.

const tails = new Map<string, Promise<unknown>>();

/**
 * Runs `fn` after every earlier call with the same key in this process has settled. Used in front of
 * the over-quota transaction: callers queue here instead of each holding a pooled connection while
 * waiting for the same window row lock, which would starve the pool under a burst.
 */
export async function oneAtATime<T>(key: string, fn: () => Promise<T>): Promise<T> {
  const previous = tails.get(key) ?? Promise.resolve();
  const run = previous.then(fn, fn);
  const tail = run.catch(() => undefined);
  tails.set(key, tail);
  try {
    return await run;
  } finally {
    if (tails.get(key) === tail) tails.delete(key);
  }
}

const inFlight = new Map<string, Promise<void>>();

/** Joins a call already running under the same key instead of starting another (e.g. opening a window). */
export function joinInFlight(key: string, fn: () => Promise<void>): Promise<void> {
  let p = inFlight.get(key);
  if (!p) {
    p = fn().finally(() => inFlight.delete(key));
    inFlight.set(key, p);
  }
  return p;
}
