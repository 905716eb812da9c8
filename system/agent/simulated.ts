/**
 * The deterministic simulated agent: the default agent for tests, demos and every scenario.
 *
 * A run is `steps` steps, one after the other. Step k:
 *   1. emits `step.started`;
 *   2. crashes the host process if `crashAt === k` (before any side effect, as a real agent
 *      server that dies mid-step would);
 *   3. takes its step time (`slowSteps[k]` or `stepTime`), or never finishes if `hangAt === k`;
 *   4. fails if `failAt === k` (the first `failTimes` attempts, or every attempt);
 *   5. applies its external side effect, keyed `<beadId>:<step>`, durably;
 *   6. emits a checkpoint `{ step: k, state }`.
 * Everything (states, output, payload) is a pure function of the input, the seed and the attempt,
 * so a run resumed from checkpoint k ends exactly as an uninterrupted run — and skips steps 1..k.
 */
import { setTimeout as sleepTimer } from 'node:timers/promises';
import { fnv1a64 } from '../util/fingerprint.ts';
import { isoTimestamp } from '../util/utc-text.ts';
import { OyaError } from '../errors.ts';
import { AgentAbortedError, AgentCheckpointMismatchError, AgentInputError, AgentStepFailedError } from './errors.ts';
import { resolveAgentInput, type ResolvedAgentInput } from './input.ts';
import { sideEffectKey, type SideEffectSink } from './side-effects.ts';

/** The durable progress marker emitted after each step; resuming from it starts at `step + 1`. */
export interface AgentCheckpoint {
  step: number;
  state: string;
}

/** Progress the agent reports while it runs. */
export type AgentEvent = { type: 'step.started'; step: number; attempt: number } | { type: 'checkpoint'; step: number; state: string };

/** What a finished run returns (sent as `session.idle`'s result). */
export interface AgentResult {
  beadId: string;
  /** Total steps of the run. */
  steps: number;
  /** Final state (equal to `stateFor(seed, steps)`). */
  state: string;
  /** `input.output`, or `{ digest: state }` when the input sets none. */
  output: unknown;
  /** Steps this run actually executed (a resumed run skips the finished ones). */
  executedSteps: number[];
  /** The checkpoint step the run resumed from, if any. */
  resumedFrom?: number;
  /** Present when `payloadBytes` is set: a deterministic string of that many bytes. */
  payload?: string;
}

/** Options of one run. */
export interface AgentRunOptions {
  beadId: string;
  /** Raw input (validated here) or an already resolved one. */
  input: unknown;
  seed: number | string;
  /** 1-based attempt number, given by the orchestrator; drives `failTimes`/`crashTimes`. @default 1 */
  attempt?: number;
  fromCheckpoint?: AgentCheckpoint;
  signal?: AbortSignal;
  sideEffects: SideEffectSink;
  onEvent?: (event: AgentEvent) => void;
  /**
   * Called at `crashAt`. A worker passes a hard process exit. Without it the run throws
   * AgentCrashedError, so the pure logic can be tested in-process.
   */
  onCrash?: (step: number) => void | Promise<void>;
  /** Injectable clock for the step time. @default node:timers/promises setTimeout */
  sleep?: (ms: number, signal: AbortSignal | undefined) => Promise<void>;
}

/** Raised at `crashAt` when no `onCrash` hook ends the process. */
export class AgentCrashedError extends OyaError {
  readonly type = 'AgentCrashed';
  constructor(step: number) {
    super('ORCH_AGENT_CRASHED', `simulated agent crash at step ${step}`, { retryable: true, details: { step } });
  }
}

/** What a state is a hash of: the seed and the step. */
const stateText = (seed: number | string, step: number): string => `oya-sim:${seed}:${step}`;

/** The deterministic state after `step` steps for `seed` (step 0 = the initial state). */
export function stateFor(seed: number | string, step: number): string {
  return fnv1a64(stateText(seed, step));
}

/**
 * The state `stateFor` gave before it was FNV-1a (the first 16 hex digits of a sha256), still
 * accepted from a checkpoint so that beads checkpointed by an older Oya resume after an upgrade.
 * node:crypto is loaded only here, i.e. only for such a checkpoint (why: ../util/fingerprint.ts).
 */
function legacyStateFor(seed: number | string, step: number): string {
  return process.getBuiltinModule('node:crypto').createHash('sha256').update(stateText(seed, step)).digest('hex').slice(0, 16);
}

/** A deterministic string of exactly `bytes` ASCII characters for `seed`. */
export function payloadFor(seed: number | string, bytes: number): string {
  const unit = fnv1a64(`oya-payload:${seed}`);
  return unit.repeat(Math.ceil(bytes / unit.length)).slice(0, bytes);
}

const defaultSleep = (ms: number, signal: AbortSignal | undefined): Promise<void> => sleepTimer(ms, undefined, signal ? { signal } : undefined);

/** Runs the simulated agent to completion; rejects with an ORCH_AGENT_* error on failure or abort. */
export async function runSimulatedAgent(options: AgentRunOptions): Promise<AgentResult> {
  const input: ResolvedAgentInput = resolveAgentInput(options.input);
  const { beadId, seed, signal } = options;
  const attempt = options.attempt ?? 1;
  const sleep = options.sleep ?? defaultSleep;
  const emit = options.onEvent ?? (() => {});
  const resumeFrom = validateCheckpoint(options.fromCheckpoint, seed, input.steps);

  const executedSteps: number[] = [];
  for (let step = resumeFrom + 1; step <= input.steps; step++) {
    if (signal?.aborted) throw new AgentAbortedError(step);
    emit({ type: 'step.started', step, attempt });

    if (input.crashAt === step && withinTimes(attempt, input.crashTimes)) {
      await options.onCrash?.(step);
      throw new AgentCrashedError(step);
    }
    try {
      if (input.hangAt === step) await hangUntilAborted(signal);
      else await sleep(input.slowStepsMs[step] ?? input.stepTimeMs, signal);
    } catch (err) {
      if (signal?.aborted) throw new AgentAbortedError(step);
      throw err;
    }
    if (input.failAt === step && withinTimes(attempt, input.failTimes)) {
      throw new AgentStepFailedError(step, attempt, input.failRetryable);
    }
    await options.sideEffects.apply({
      key: sideEffectKey(beadId, step),
      beadId,
      step,
      attempt,
      pid: process.pid,
      at: isoTimestamp(Date.now()),
    });
    executedSteps.push(step);
    emit({ type: 'checkpoint', step, state: stateFor(seed, step) });
  }

  const state = stateFor(seed, input.steps);
  return {
    beadId,
    steps: input.steps,
    state,
    output: input.output !== undefined ? input.output : { digest: state },
    executedSteps,
    ...(options.fromCheckpoint && { resumedFrom: resumeFrom }),
    ...(input.payloadBytes !== undefined && { payload: payloadFor(seed, input.payloadBytes) }),
  };
}

/** `times` unset = every attempt; otherwise only attempts 1..times. */
function withinTimes(attempt: number, times: number | undefined): boolean {
  return times === undefined || attempt <= times;
}

/** Returns the step to resume after (0 = from the start); rejects a checkpoint from another seed. */
function validateCheckpoint(checkpoint: AgentCheckpoint | undefined, seed: number | string, steps: number): number {
  if (!checkpoint) return 0;
  const { step, state } = checkpoint;
  if (!Number.isInteger(step) || step < 0 || step > steps) {
    throw new AgentInputError(`fromCheckpoint.step must be an integer in 0..${steps}, got ${String(step)}`, {
      field: 'fromCheckpoint.step',
    });
  }
  const expected = stateFor(seed, step);
  if (state !== expected && state !== legacyStateFor(seed, step)) throw new AgentCheckpointMismatchError(step, expected, state);
  return step;
}

function hangUntilAborted(signal: AbortSignal | undefined): Promise<never> {
  return new Promise((_, reject) => {
    signal?.addEventListener('abort', () => reject(signal.reason), { once: true });
  });
}
