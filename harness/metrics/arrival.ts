/**
 * The open-model arrival schedule: WHEN each request should be sent, fixed before the run.
 *
 * The load generator sends request i at `schedule[i]` whether or not earlier requests answered
 * (k6's arrival-rate executors, wrk2), and latency is measured from that intended time, so a stall
 * in the system cannot slow the generator down and hide itself (coordinated omission).
 * Deterministic per seed: a failing run can be replayed with the same arrivals.
 */
import { ArrivalInvalidError } from './errors.ts';
import { mulberry32 } from '../../system/util/index.ts';

const ARRIVALS: readonly string[] = ['constant', 'poisson'];

/** Parameters of {@link arrivalSchedule}. */
export interface ArrivalOptions {
  /** How many arrivals. */
  count: number;
  /** Mean arrivals per SECOND (the scenario's `10/s` or `600/m`, converted). */
  rate: number;
  /** constant: evenly spaced; poisson: exponential gaps with the same mean. @default 'constant' */
  arrival?: 'constant' | 'poisson';
  /** PRNG seed (poisson only; constant needs none). @default 1 */
  seed?: number;
  /** Time of the first possible arrival, ms on the run's clock. @default 0 */
  startAt?: number;
}

/**
 * Intended send times in ms, non-decreasing. Constant: `startAt + i / rate`. Poisson: the first
 * arrival one exponential gap after `startAt`, each next one a further gap (mean 1 / rate).
 */
export function arrivalSchedule(options: ArrivalOptions): number[] {
  const { count, rate, arrival = 'constant', seed = 1, startAt = 0 } = options;
  if (!Number.isInteger(count) || count < 0) throw new ArrivalInvalidError('count', count, 'a non-negative integer is required');
  if (!(Number.isFinite(rate) && rate > 0)) throw new ArrivalInvalidError('rate', rate, 'a positive number of arrivals per second is required');
  if (!Number.isFinite(startAt)) throw new ArrivalInvalidError('startAt', startAt, 'a finite time in ms is required');
  if (!Number.isInteger(seed)) throw new ArrivalInvalidError('seed', seed, 'an integer is required');
  // Checked at run time too: options may come from an untyped caller.
  if (!ARRIVALS.includes(arrival)) throw new ArrivalInvalidError('arrival', arrival, "use 'constant' or 'poisson'");
  const meanGapMs = 1000 / rate;
  if (arrival === 'constant') return Array.from({ length: count }, (_, i) => startAt + i * meanGapMs);
  const random = mulberry32(seed);
  const times: number[] = [];
  let t = startAt;
  for (let i = 0; i < count; i++) {
    // Inverse transform: 1 - u is in (0, 1], so the log is finite.
    t += -Math.log(1 - random()) * meanGapMs;
    times.push(t);
  }
  return times;
}
