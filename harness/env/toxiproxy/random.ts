import { mulberry32 } from '../../../system/util/index.ts';

/**
 * A small seeded PRNG (mulberry32, system/util/random.ts) for every random choice the data plane makes: latency jitter,
 * toxicity rolls and slicer split points. With a seed, a chaos run that makes the same calls in the
 * same order replays exactly. The real toxiproxy-server accepts `-seed` but ignores it (it builds a
 * seeded source and throws it away; toxics use Go's global math/rand), so only the embedded server
 * is reproducible.
 */
export interface Random {
  /** A float in [0, 1), like Go's rand.Float32(). */
  float(): number;
  /** An integer in [0, n) for n >= 1, like Go's rand.Intn(n). */
  int(n: number): number;
}

/** Creates a PRNG; without a seed one is drawn from Math.random (not reproducible). */
export function createRandom(seed?: number): Random {
  const next = mulberry32(seed ?? Math.floor(Math.random() * 2 ** 32));
  return {
    float: next,
    int: (n) => Math.floor(next() * n),
  };
}
