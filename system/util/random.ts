/**
 * mulberry32: the one seeded PRNG of the codebase — tiny, fast, 32-bit state, good statistical
 * quality for simulation (not for secrets). Every seeded choice (arrival times, fault draws, the
 * data plane's jitter, the admin hooks' victims) goes through it, so one seed replays one run.
 * Returns floats in [0, 1).
 */
export function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let z = state;
    z = Math.imul(z ^ (z >>> 15), z | 1);
    z ^= z + Math.imul(z ^ (z >>> 7), z | 61);
    return ((z ^ (z >>> 14)) >>> 0) / 4_294_967_296;
  };
}
