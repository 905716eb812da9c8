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
import { z } from 'zod';
import { AgentInputError } from './errors.ts';

const DURATION_RE = /^(\d+(?:\.\d+)?)\s*(ms|s|m)$/;

/** Parses `250`, `"250ms"`, `"1.5s"`, `"2m"` into milliseconds. Returns undefined when malformed. */
export function parseDurationMs(value: number | string): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) && value >= 0 ? value : undefined;
  const match = DURATION_RE.exec(value.trim());
  if (!match) return undefined;
  const amount = Number(match[1]);
  const unit = match[2];
  return unit === 'ms' ? amount : unit === 's' ? amount * 1000 : amount * 60_000;
}

const duration = z.union([z.number(), z.string()]).refine((v) => parseDurationMs(v) !== undefined, {
  message: 'expected a duration: milliseconds as a number, or a string like "200ms", "1.5s", "2m"',
});
const stepNumber = z.number().int().min(1);

const inputSchema = z.strictObject({
  /** How many steps the run has. @default 5 */
  steps: z.number().int().min(0).max(100_000).default(5),
  /** Time per step (ms number or duration string). @default 0 */
  stepTime: duration.default(0),
  /** Fail at this step, before its side effect is applied. */
  failAt: stepNumber.optional(),
  /** Whether the `failAt` failure is retryable. @default true */
  failRetryable: z.boolean().default(true),
  /** Fail only the first n attempts at `failAt`, then succeed. Unset = fail every attempt. */
  failTimes: z.number().int().min(0).optional(),
  /** The worker process exits hard at the start of this step (before its side effect). */
  crashAt: stepNumber.optional(),
  /** The agent crashes at `crashAt` only on the first n attempts. Unset = every attempt. */
  crashTimes: z.number().int().min(0).optional(),
  /** Step k never finishes (until aborted). */
  hangAt: stepNumber.optional(),
  /** Per-step time overrides, `{ "<step>": duration }`. */
  slowSteps: z.record(z.string().regex(/^\d+$/), duration).default({}),
  /** The result the run returns (any JSON). Defaults to a digest of the final state. */
  output: z.unknown().optional(),
  /** Adds a deterministic string of this many bytes to the result (payload-size tests). */
  payloadBytes: z.number().int().min(0).max(64 * 1024 * 1024).optional(),
});

/** What a bead's `agent` object may contain (all fields optional). */
export type SimulatedAgentInput = z.input<typeof inputSchema>;

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

/** Validates and resolves an agent input; throws AgentInputError naming the bad field. */
export function resolveAgentInput(raw: unknown): ResolvedAgentInput {
  const parsed = inputSchema.safeParse(raw ?? {});
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const field = issue?.path.join('.') || '(root)';
    throw new AgentInputError(`invalid agent input at ${field}: ${issue?.message ?? 'invalid'}`, {
      field,
      issues: parsed.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })),
    });
  }
  const v = parsed.data;
  const slowStepsMs: Record<number, number> = {};
  for (const [step, d] of Object.entries(v.slowSteps)) slowStepsMs[Number(step)] = parseDurationMs(d)!;
  const resolved: ResolvedAgentInput = {
    steps: v.steps,
    stepTimeMs: parseDurationMs(v.stepTime)!,
    failRetryable: v.failRetryable,
    slowStepsMs: Object.freeze(slowStepsMs),
    ...(v.failAt !== undefined && { failAt: v.failAt }),
    ...(v.failTimes !== undefined && { failTimes: v.failTimes }),
    ...(v.crashAt !== undefined && { crashAt: v.crashAt }),
    ...(v.crashTimes !== undefined && { crashTimes: v.crashTimes }),
    ...(v.hangAt !== undefined && { hangAt: v.hangAt }),
    ...(v.output !== undefined && { output: v.output }),
    ...(v.payloadBytes !== undefined && { payloadBytes: v.payloadBytes }),
  };
  return Object.freeze(resolved);
}
