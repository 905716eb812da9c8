/**
 * Respawn delays: exponential backoff with jitter, capped, so a crash-looping worker slot costs
 * little and many slots dying together (a bad deploy, OOM) do not respawn in lock-step.
 */

/** Backoff settings, all in milliseconds except `factor` and `jitter`. */
export interface BackoffOptions {
  /** Delay before the first retry. @default 100 */
  initialMs?: number;
  /** Upper bound of any delay. @default 10000 */
  maxMs?: number;
  /** Growth per consecutive failure. @default 2 */
  factor?: number;
  /** Fraction of the delay added or removed at random (0..1). @default 0.2 */
  jitter?: number;
}

/** Defaults of BackoffOptions. */
export const DEFAULT_BACKOFF: Readonly<Required<BackoffOptions>> = Object.freeze({ initialMs: 100, maxMs: 10_000, factor: 2, jitter: 0.2 });

/**
 * The delay before retry number `failures` (1 = after the first failure). Never above `maxMs`,
 * jitter included. `random` returns [0, 1) and can be seeded for reproducible runs.
 */
export function backoffDelay(failures: number, options: BackoffOptions = {}, random: () => number = Math.random): number {
  const { initialMs, maxMs, factor, jitter } = { ...DEFAULT_BACKOFF, ...options };
  const base = Math.min(maxMs, initialMs * factor ** Math.max(0, failures - 1));
  const jittered = base * (1 + jitter * (2 * random() - 1));
  return Math.round(Math.max(0, Math.min(maxMs, jittered)));
}
