/**
 * The input and output of the Jepsen-style checkers (see README.md for what each check means).
 *
 * Every checker is a pure function `(input: CheckInput) => CheckResult`: no I/O, no clock, so a
 * report can be re-checked from its journal and tests can feed generated histories.
 */
import type { History } from '../history/history.ts';
import type { HistoryJson, Operation } from '../history/types.ts';
import type { CheckVocabulary } from './vocabulary.ts';

/** A bead's state, from the API (`GET /beads/:id`) or projected from the event log. */
export interface BeadState {
  status: string;
  attempts?: number;
  /** The idempotency key the bead was submitted with (`Idempotency-Key`, else `bead:<id>`). */
  idempotencyKey?: string | null;
  /** null/absent for a bead outside any workflow (the log projection uses null). */
  workflowId?: string | null;
  [extra: string]: unknown;
}

/** Beads by id: a plain object or a Map (projections are Maps). */
export type BeadStates = Readonly<Record<string, BeadState>> | ReadonlyMap<string, BeadState>;

/** One event of the log, as `GET /events` or a direct SurrealDB read returns it. */
export interface CheckEvent {
  stream: string;
  seq: number;
  /** Global position in the log (a direct DB read); `cursor` is accepted as the same thing. */
  position?: number;
  type: string;
  data?: unknown;
  idempotencyKey?: string;
  cursor?: number;
  at?: string | number;
  [extra: string]: unknown;
}

/** One application of an agent step's external side effect (system/agent/side-effects.ts). */
export interface SideEffect {
  key: string;
  beadId: string;
  step: number;
  attempt: number;
  pid: number;
  at: string | number;
}

/** What a bead was submitted as (see definitions.ts for how it is read from the log when not given). */
export interface BeadDefinition {
  /** The beads it waits for (`blocks` dependencies). */
  dependsOn?: readonly string[];
  /** 0 highest … 4 lowest. */
  priority?: number;
  /** Steps of its agent script (system/agent/input.ts `steps`), numbered 1..steps. */
  steps?: number;
}

/** What the scenario expects of the final state (its `expect:` section, minus the gate counts). */
export interface Expectations {
  /** `all`: every bead not otherwise expected (per-bead, or cancelled on request) succeeded; N: exactly N succeeded. */
  completed?: 'all' | number;
  /** Exactly this many beads failed. */
  failed?: number;
  /** Exactly this many beads were cancelled. */
  cancelled?: number;
  /** Per-bead expected status, or a list of acceptable ones. */
  beads?: Readonly<Record<string, string | readonly string[]>>;
  /** The scenario claims priority order: no bead starts while a higher-priority bead waits queued. */
  priorityOrder?: boolean;
}

/** Everything the checkers look at, gathered after faults healed and work drained. */
export interface CheckInput {
  /** The operation history: a History, its JSON form, or already-paired operations. */
  history: History | HistoryJson | readonly Operation[];
  /** Final state read through the API. */
  finalBeads: BeadStates;
  /** Final state projected straight from the SurrealDB log. Absent → apiLogDisagreement is `unknown`. */
  logBeads?: BeadStates;
  /** Every event of the log. Absent → eventGaps is `unknown` and event-based duplicates are skipped. */
  events?: readonly CheckEvent[];
  /** Every side-effect application. Absent → doubleSideEffects is `unknown`. */
  sideEffects?: readonly SideEffect[];
  expectations?: Expectations;
  /** Event type names and statuses; defaults follow system/events/types.ts. */
  vocabulary?: Partial<CheckVocabulary>;
  /**
   * Whether the final read happened with the orchestrator's outbox empty and no bead running
   * (GET /health: outbox 0). `false` makes apiLogDisagreement `unknown`; absent is taken as the
   * runner's drain contract (it reads after the drain).
   */
  outboxQuiet?: boolean;
  /**
   * Whether the drain finished (runner `drain.drained`). `false`: a bead the API and the log both
   * hold open is in flight at the final read (unfinished.ts), not lost and not a disagreement.
   */
  drained?: boolean;
  /**
   * Bead definitions by id (dependsOn, priority, agent steps), e.g. from the scenario's plan.
   * Absent fields are read from BeadSubmitted/WorkflowSubmitted; a bead whose dependencies or
   * steps no source states leaves the checks that need them `unknown`.
   */
  definitions?: Readonly<Record<string, BeadDefinition>>;
}

/** The smallest set of evidence that shows one violation. */
export interface Witness {
  events?: CheckEvent[];
  ops?: Operation[];
  sideEffects?: SideEffect[];
  /** The two sides of a disagreement. */
  states?: { api?: BeadState; log?: BeadState };
  /** For aggregate violations (counts), the beads that made the difference. */
  beadIds?: string[];
}

/** One thing a checker found wrong. `kind` is a stable, check-specific label. */
export interface Violation {
  kind: string;
  beadId?: string;
  message: string;
  witness: Witness;
}

/** Jepsen's verdict: `unknown` when the input could not prove either way. It never passes a gate. */
export type Validity = true | false | 'unknown';

/** The names of the checks, in the order runChecks runs them. */
export type CheckName = 'lost' | 'duplicated' | 'unexpected' | 'eventGaps' | 'doubleSideEffects' | 'apiLogDisagreement' | 'stateExpectations' | 'lifecycle';

/**
 * A bead still open, in the API and in the log, at the final read of a run whose drain was cut
 * short: its outcome is unknown (Jepsen's `:info`), so it is neither lost nor a disagreement.
 */
export interface Unfinished {
  beadId: string;
  /** Its status in the log (the harness fold), else in the API. */
  status: string;
  message: string;
  /** Both states and the bead's last event. */
  witness: Witness;
}

/** A repeat that was allowed, and why. */
export interface Tolerated {
  beadId: string;
  key: string;
  reason: string;
}

/** The result of one checker. */
export interface CheckResult {
  name: CheckName;
  valid: Validity;
  violations: Violation[];
  counts: Record<string, number>;
  /** Repeats the check allowed, each with why (doubleSideEffects: the one repeat after a lost attempt). */
  tolerated?: Tolerated[];
  /** Beads in flight at the final read that this check left out of its count (CheckReport.unfinished has their witnesses). */
  unfinished?: string[];
  /** Beads the check could not decide, with why (at most 20): the reason a verdict is `unknown`. */
  undecided?: Record<string, string>;
  /** Set when the checker threw: its verdict is then `unknown` (Jepsen's check-safe), the rest still decide. */
  error?: { message: string; code?: string; name?: string };
}

/** The composed result of every checker. */
export interface CheckReport {
  /** false if any check is false; else `unknown` if any is unknown; else true. */
  valid: Validity;
  checks: Record<CheckName, CheckResult>;
  /** Violation count per check: what the scenario's `expect: { lost: 0, … }` gates compare. */
  counts: Record<CheckName, number>;
  /** Every bead in flight at the final read, when the drain was cut short (absent when it drained). */
  unfinished?: Unfinished[];
}

/** A checker. */
export type Checker = (input: CheckInput) => CheckResult;
