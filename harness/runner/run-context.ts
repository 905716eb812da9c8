/**
 * What one scenario run carries from phase to phase: its inputs (scenario, options, plan, wait
 * budgets), its clock, its clean-up stack and abort signal, and the state each phase leaves for
 * the next ({@link RunState}). Phases (./phases/) read and write only this; run.ts drives them.
 */
import { setMaxListeners } from 'node:events';
import type { CheckReport } from '../checks/index.ts';
import type { Environment } from '../env/providers/types.ts';
import { History } from '../history/index.ts';
import type { RunJournal, Verdict } from '../report/journal.ts';
import type { ResolvedScenario } from '../scenario/index.ts';
import type { ApiClient } from './api-client.ts';
import { CleanupStack } from './cleanup.ts';
import type { DrainResult } from './drain.ts';
import type { FaultTimeline } from './faults/index.ts';
import type { FinalState } from './final-state.ts';
import type { GateResult } from './gates.ts';
import type { LeakJournal, LeakPhase } from './leak-phase.ts';
import type { LogObserver } from './log-observer.ts';
import type { Measured, MemorySample } from './measure.ts';
import { planWorkload, type WorkloadPlan } from './plan.ts';
import type { SubmissionSummary } from './submissions.ts';
import type { SutHandle } from './sut.ts';
import { openWaits, waitBudgets, type OpenWait, type WaitBudgets } from './waits.ts';
import type { WorkloadOutcome } from './workload.ts';

/** The phases of a run, in order (./phases/index.ts runs one module per name). */
export const PHASES = ['environment', 'orchestrator', 'workload', 'drain', 'final-state', 'checks', 'metrics', 'gates'] as const;
export type PhaseName = (typeof PHASES)[number];

/** Default report directory: `<repo>/reports`. */
export const DEFAULT_REPORT_DIR = new URL('../../reports', import.meta.url).pathname;

/** What a run started, so tests can prove teardown released it. */
export interface RunResources {
  runDir?: string;
  dataDir?: string;
  sutPids: number[];
  sutPort?: number;
  dbPid?: number;
  envLabel: string;
}

/** Options of runScenario. */
export interface RunOptions {
  /** @default DEFAULT_REPORT_DIR */
  reportDir?: string;
  /** Forces an environment provider (else OYA_ENV / Docker detection). */
  envKind?: 'local' | 'containers';
  /** Called after each phase; a throw aborts the run like any failure (a named fault point for tests). */
  afterPhase?: (phase: PhaseName, resources: RunResources) => void | Promise<void>;
  /** Progress lines. @default none */
  log?: (line: string) => void;
  /** Called about once a second while the orchestrator runs (run time, beads finished, phase), for progress displays. */
  onProgress?: (progress: { elapsedMs: number; done: number; failed: number; phase: string }) => void;
  /**
   * Cancels the run when aborted: it stops like a run past `timeouts.total` (verdict `error`,
   * HARN_RUNNER_CANCELLED, checks salvaged, teardown complete). @default never cancelled
   */
  signal?: AbortSignal;
}

/** The outcome of a run. */
export interface RunResult {
  verdict: Verdict;
  gates: GateResult[];
  journal: RunJournal;
  journalPath: string;
  /** For `error`: the error. */
  error?: unknown;
  resources: RunResources;
}

/** What the phases have produced so far; a phase that has not run left its fields unset. */
export interface RunState {
  /** The phase running now ('done' once gates are in). */
  phase: PhaseName | 'done';
  env?: Environment;
  dbServerVersion?: string;
  /** The orchestrator's log (in the run dir; copied next to the journal at teardown). */
  logFile?: string;
  sut?: SutHandle;
  api?: ApiClient;
  memory?: { samples: MemorySample[]; stop(): Promise<void> };
  timeline?: FaultTimeline;
  /** The tail of the log that times when outcomes became readable (from the first arrival to the drain's end). */
  observer?: LogObserver;
  workload?: WorkloadOutcome;
  /** A leak run's watch once the arrivals ended (final snapshot taken), until its analysis is in `leak`. */
  leakWatch?: LeakPhase;
  leak?: LeakJournal;
  drain?: DrainResult;
  final?: FinalState & { outboxQuiet: boolean };
  submissions?: SubmissionSummary;
  checks?: CheckReport;
  measured?: Measured;
  gates: GateResult[];
  /** The checks ran after the run broke (see salvage.ts). */
  salvaged?: boolean;
}

/**
 * The run's clock. It starts at the first arrival (the workload phase), not at set-up: fault
 * `at` times and intended send times are offsets from it; set-up readings are negative.
 */
export interface RunClock {
  /** ms since the scenario's zero (a bound function: pass it around as is). */
  readonly now: () => number;
  /** Wall-clock ms of the zero (for the journal and the metrics' time axis). */
  readonly zeroWall: number;
  /** Moves the zero to this instant (the workload's first arrival). */
  readonly startNow: () => void;
}

export interface RunContext {
  readonly scenario: ResolvedScenario;
  readonly options: RunOptions;
  readonly reportDir: string;
  readonly log: (line: string) => void;
  readonly startedAt: Date;
  readonly clock: RunClock;
  readonly cleanup: CleanupStack;
  /** Aborted by a cancel, `timeouts.total` or a failed phase: every wait listens on it. */
  readonly signal: AbortSignal;
  abort(reason: unknown): void;
  /** (Re)arms `timeouts.total` from now (set-up has its own, longer bound). */
  armTotal(ms?: number): void;
  /** Time left before the armed bound fires (ms; 0 once past it). */
  totalLeftMs(): number;
  /**
   * Moves the bound to at least `ms` from now, never earlier than it is: reading and judging what
   * the drain left get FINAL_PHASES_TIMEOUT_MS of their own once the drain's time is up.
   */
  extendTotal(ms: number): void;
  readonly resources: RunResources;
  readonly history: History;
  readonly plan: WorkloadPlan;
  readonly budgets: WaitBudgets;
  readonly artifacts: Record<string, string>;
  readonly phases: RunJournal['phases'];
  readonly state: RunState;
}

/**
 * Bound on the phases after the drain (final read, checks, metrics, gates), counted from the end
 * of the drain's time when `timeouts.total` would leave them less: `total` caps the run proper
 * (arrivals, faults, drain), and a drain cut short by it still reaches a verdict.
 */
export const FINAL_PHASES_TIMEOUT_MS = 120_000;

/** A fresh context for one run of `scenario`; `onTimeout` builds the abort reason of `timeouts.total`. */
export function createRunContext(
  scenario: ResolvedScenario,
  options: RunOptions,
  onTimeout: (ms: number, phase: string, waits: OpenWait[], finalPhasesMs?: number) => Error,
): RunContext & { dispose(): void } {
  let zero = performance.now();
  let zeroWall = Date.now();
  const clock: RunClock = {
    now: () => performance.now() - zero,
    get zeroWall() {
      return zeroWall;
    },
    startNow: () => {
      zero = performance.now();
      zeroWall = Date.now();
    },
  };
  const controller = new AbortController();
  // Every in-flight wait (retry backoffs, cancel waits, fault timers) listens on it: many at once is normal.
  setMaxListeners(0, controller.signal);
  const state: RunState = { gates: [], phase: 'environment' };
  let timer: NodeJS.Timeout | undefined;
  let firesAt = Number.POSITIVE_INFINITY;
  const history = new History({ clock: clock.now });
  return {
    scenario,
    options,
    reportDir: options.reportDir ?? DEFAULT_REPORT_DIR,
    log: options.log ?? (() => undefined),
    startedAt: new Date(),
    clock,
    cleanup: new CleanupStack(),
    signal: controller.signal,
    abort: (reason) => {
      controller.abort(reason);
    },
    armTotal(ms = scenario.timeouts.total) {
      clearTimeout(timer);
      firesAt = performance.now() + ms;
      timer = setTimeout(() => controller.abort(onTimeout(ms, state.phase, openWaits(history))), ms);
    },
    totalLeftMs: () => Math.max(0, firesAt - performance.now()),
    extendTotal(ms) {
      const left = Math.max(0, firesAt - performance.now());
      if (left >= ms) return;
      const armed = Math.round(scenario.timeouts.total);
      clearTimeout(timer);
      firesAt = performance.now() + ms;
      timer = setTimeout(() => controller.abort(onTimeout(armed, state.phase, openWaits(history), ms)), ms);
    },
    dispose: () => {
      clearTimeout(timer);
    },
    resources: { sutPids: [], envLabel: scenario.name.slice(0, 40) },
    history,
    plan: planWorkload(scenario),
    budgets: waitBudgets(scenario),
    artifacts: {},
    phases: [],
    state,
  };
}
