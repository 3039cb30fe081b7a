import { checkNumber, checkShape } from "./validate.js";

/**
 * Seeded randomness. Nothing in the toolkit calls Math.random: every random choice takes a
 * seed, so a notebook re-run gives the same candidates, splits and probe sets.
 *
 * The generator is sfc32 seeded through splitmix32: small, fast and well-tested (PractRand);
 * written here because a dependency for twenty lines of arithmetic is not worth its weight.
 */
export interface Rng {
  /** Uniform in [0, 1). */
  next(): number;
  /** Uniform integer in [0, n). */
  int(n: number): number;
  /** Standard normal (Box-Muller). */
  normal(): number;
  /** A new independent generator derived from this one. */
  fork(): Rng;
  /** The seed it was created with. */
  readonly seed: number;
}

function splitmix32(a: number): () => number {
  return () => {
    a |= 0;
    a = (a + 0x9e3779b9) | 0;
    let t = a ^ (a >>> 16);
    t = Math.imul(t, 0x21f0aaad);
    t ^= t >>> 15;
    t = Math.imul(t, 0x735a2d97);
    return (t ^ (t >>> 15)) >>> 0;
  };
}

/** A seeded generator (next, int, normal, fork): the same seed gives the same sequence everywhere. */
export function createRng(seed: number): Rng {
  checkNumber("seed", seed, { integer: true });
  const init = splitmix32(seed);
  let a = init();
  let b = init();
  let c = init();
  let d = init();
  let spare: number | undefined;
  const next = (): number => {
    a >>>= 0;
    b >>>= 0;
    c >>>= 0;
    d >>>= 0;
    let t = (a + b) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    d = (d + 1) | 0;
    t = (t + d) | 0;
    c = (c + t) | 0;
    return (t >>> 0) / 4294967296;
  };
  for (let i = 0; i < 12; i++) next();
  const rng: Rng = {
    seed,
    next,
    int: (n: number) => Math.floor(next() * n),
    normal: () => {
      if (spare !== undefined) {
        const s = spare;
        spare = undefined;
        return s;
      }
      let u = 0;
      while (u === 0) u = next();
      const v = next();
      const r = Math.sqrt(-2 * Math.log(u));
      spare = r * Math.sin(2 * Math.PI * v);
      return r * Math.cos(2 * Math.PI * v);
    },
    fork: () => createRng(Math.floor(next() * 2147483647)),
  };
  return rng;
}

/** `value` must be a seeded generator (createRng). */
export function checkRng(name: string, value: unknown): Rng {
  checkShape(name, value, "a seeded generator", { next: "function", int: "function" }, "pass fh.core.createRng(seed).");
  return value as Rng;
}

/** A seeded Fisher-Yates shuffle of 0..n-1. */
export function permutation(n: number, rng: Rng): Int32Array {
  checkNumber("n", n, { integer: true, min: 0, max: 2 ** 31 - 1 });
  checkRng("rng", rng);
  const p = new Int32Array(n);
  for (let i = 0; i < n; i++) p[i] = i;
  for (let i = n - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    const t = p[i]!;
    p[i] = p[j]!;
    p[j] = t;
  }
  return p;
}
