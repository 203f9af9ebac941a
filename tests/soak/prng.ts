/** A seeded PRNG (mulberry32): the same seed gives the same sequence, so a soak's traffic can be replayed. */
export interface Rng {
  /** A float in [0, 1). */
  next(): number;
  /** An integer in [from, to]. */
  int(from: number, to: number): number;
  pick<T>(xs: readonly T[]): T;
  chance(p: number): boolean;
  /** A new generator derived from this one (one per lane, so lanes do not share a sequence). */
  fork(): Rng;
}

export function rng(seed: number): Rng {
  let s = seed >>> 0;
  const next = () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const self: Rng = {
    next,
    int: (from, to) => from + Math.floor(next() * (to - from + 1)),
    pick: (xs) => xs[Math.floor(next() * xs.length)]!,
    chance: (p) => next() < p,
    fork: () => rng(Math.floor(next() * 4294967296)),
  };
  return self;
}

/** Picks a name by weight, e.g. weighted(r, { batch: 5, single: 3 }). */
export function weighted<K extends string>(r: Rng, weights: Record<K, number>): K {
  const entries = Object.entries(weights) as [K, number][];
  let x = r.next() * entries.reduce((n, [, w]) => n + w, 0);
  for (const [k, w] of entries) {
    x -= w;
    if (x < 0) return k;
  }
  return entries[entries.length - 1]![0];
}
