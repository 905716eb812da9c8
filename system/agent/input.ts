/**
 * The simulated agent's input: a small documented object that is part of a bead's input.
 *
 * Steps are numbered 1..steps. Every field is data, so a scenario file can script any behaviour:
 *
 * ```yaml
 * agent: { steps: 5, stepTime: 200ms, failAt: 3, failTimes: 2, slowSteps: { 4: 1s } }
 * ```
 *
 * `SimulatedAgentInput` (what callers write) → `resolveAgentInput()` → a frozen
 * `ResolvedAgentInput` with defaults applied and durations in milliseconds.
 */
import { AgentInputError } from './errors.ts';

const DURATION_RE = /^(\d+(?:\.\d+)?)\s*(ms|s|m)$/;

/** Parses `250`, `"250ms"`, `"1.5s"`, `"2m"` into milliseconds. Returns undefined when malformed. */
export function parseDurationMs(value: number | string): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) && value >= 0 ? value : undefined;
  if (typeof value !== 'string') return undefined;
  const match = DURATION_RE.exec(value.trim());
  if (!match) return undefined;
  const amount = Number(match[1]);
  const unit = match[2];
  return unit === 'ms' ? amount : unit === 's' ? amount * 1000 : amount * 60_000;
}

/** A duration: milliseconds as a number, or a string like "200ms", "1.5s", "2m". */
export type Duration = number | string;

/**
 * What a bead's `agent` object may contain (all fields optional). Validated by hand rather than
 * with zod: every worker process validates inputs, and zod costs each one ~250 ms of start-up.
 */
export interface SimulatedAgentInput {
  /** How many steps the run has. @default 5 */
  steps?: number;
  /** Time per step. @default 0 */
  stepTime?: Duration;
  /** Fail at this step, before its side effect is applied. */
  failAt?: number;
  /** Whether the `failAt` failure is retryable. @default true */
  failRetryable?: boolean;
  /** Fail only the first n attempts at `failAt`, then succeed. Unset = fail every attempt. */
  failTimes?: number;
  /** The worker process exits hard at the start of this step (before its side effect). */
  crashAt?: number;
  /** Crash at `crashAt` only on the first n attempts. Unset = every attempt. */
  crashTimes?: number;
  /** Step k never finishes (until aborted). */
  hangAt?: number;
  /** Per-step time overrides, `{ "<step>": duration }`. */
  slowSteps?: Record<string, Duration>;
  /** The result the run returns (any JSON). Defaults to a digest of the final state. */
  output?: unknown;
  /** Adds a deterministic string of this many bytes to the result (payload-size tests). */
  payloadBytes?: number;
}

const KNOWN_FIELDS = new Set([
  'steps',
  'stepTime',
  'failAt',
  'failRetryable',
  'failTimes',
  'crashAt',
  'crashTimes',
  'hangAt',
  'slowSteps',
  'output',
  'payloadBytes',
]);

function invalid(field: string, message: string): never {
  throw new AgentInputError(`invalid agent input at ${field}: ${message}`, { field });
}

function intField(raw: Record<string, unknown>, field: string, min: number, max = Number.MAX_SAFE_INTEGER): number | undefined {
  const value = raw[field];
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    invalid(field, `expected an integer in ${min}..${max}, got ${JSON.stringify(value)}`);
  }
  return value;
}

function durationField(value: unknown, field: string): number {
  const ms = parseDurationMs(value as Duration);
  if (ms === undefined) invalid(field, `expected a duration (ms number, or "200ms", "1.5s", "2m"), got ${JSON.stringify(value)}`);
  return ms;
}

/** The input with defaults applied and durations in milliseconds. */
export interface ResolvedAgentInput {
  readonly steps: number;
  readonly stepTimeMs: number;
  readonly failAt?: number;
  readonly failRetryable: boolean;
  readonly failTimes?: number;
  readonly crashAt?: number;
  readonly crashTimes?: number;
  readonly hangAt?: number;
  readonly slowStepsMs: Readonly<Record<number, number>>;
  readonly output?: unknown;
  readonly payloadBytes?: number;
}

// Inputs this module resolved, so resolving twice (worker validates, agent runs) is a no-op.
const resolvedInputs = new WeakSet<object>();

/** Validates and resolves an agent input; throws AgentInputError (ORCH_AGENT_INVALID_INPUT) naming the bad field. */
export function resolveAgentInput(raw: unknown): ResolvedAgentInput {
  if (typeof raw === 'object' && raw !== null && resolvedInputs.has(raw)) return raw as ResolvedAgentInput;
  const input = (raw ?? {}) as Record<string, unknown>;
  if (typeof input !== 'object' || Array.isArray(input)) invalid('(root)', 'expected an object');
  for (const key of Object.keys(input)) if (!KNOWN_FIELDS.has(key)) invalid(key, 'unknown field');
  if (input.failRetryable !== undefined && typeof input.failRetryable !== 'boolean') invalid('failRetryable', 'expected a boolean');
  const slowStepsMs: Record<number, number> = {};
  if (input.slowSteps !== undefined) {
    if (typeof input.slowSteps !== 'object' || input.slowSteps === null || Array.isArray(input.slowSteps)) {
      invalid('slowSteps', 'expected an object { "<step>": duration }');
    }
    for (const [step, value] of Object.entries(input.slowSteps)) {
      if (!/^\d+$/.test(step)) invalid(`slowSteps.${step}`, 'keys must be step numbers');
      slowStepsMs[Number(step)] = durationField(value, `slowSteps.${step}`);
    }
  }
  const optional = {
    failAt: intField(input, 'failAt', 1),
    failTimes: intField(input, 'failTimes', 0),
    crashAt: intField(input, 'crashAt', 1),
    crashTimes: intField(input, 'crashTimes', 0),
    hangAt: intField(input, 'hangAt', 1),
    output: input.output,
    payloadBytes: intField(input, 'payloadBytes', 0, 64 * 1024 * 1024),
  };
  // Only the optional fields that were given: an absent one is no key at all, not `key: undefined`.
  const given = Object.fromEntries(Object.entries(optional).filter(([, value]) => value !== undefined)) as Partial<typeof optional>;
  const resolved: ResolvedAgentInput = {
    steps: intField(input, 'steps', 0, 100_000) ?? 5,
    stepTimeMs: input.stepTime === undefined ? 0 : durationField(input.stepTime, 'stepTime'),
    failRetryable: input.failRetryable ?? true,
    slowStepsMs: Object.freeze(slowStepsMs),
    ...given,
  };
  resolvedInputs.add(resolved);
  return Object.freeze(resolved);
}
