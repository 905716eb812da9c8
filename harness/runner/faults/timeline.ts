/**
 * The fault timeline: executes the plan of plan.ts — each fault's acts at its `actsAt`, its heal
 * at `healAt` — and ALWAYS heals: `healAll()` runs in the run's finally, whatever happened. Every
 * fault is recorded with when it really struck and healed, every act (a repeat of `every`
 * included) with its own error if it failed, and how long the system took to answer /health
 * with 200 again afterwards (recovery).
 *
 * A fault on a process that an earlier kill or restart of it has not brought back yet (its heal,
 * the restart, still running: a loaded machine restarts slower than `oya validate`'s settle time
 * assumes) waits for that heal, bounded by the recovery timeout, and its act records the wait: the
 * verdict does not depend on how fast this machine restarts a process.
 *
 * A failed first act or a failed heal means the scenario could not be played as written: the run
 * ends in `error`. A failed repeat is recorded on its act and reported; the run goes on, since
 * the fault did strike.
 */
import type { Environment } from '../../env/providers/types.ts';
import type { History } from '../../history/index.ts';
import { startWait } from '../waits.ts';
import { LIFECYCLE_FAULTS, PROCESS_GROUPS, type Fault } from '../../scenario/index.ts';
import type { ApiClient } from '../api-client.ts';
import { sleep, mulberry32, withDeadline } from '../../../system/util/index.ts';
import { FaultInjectionError, FaultTargetMissingError, FaultUnsupportedError } from '../errors.ts';
import type { WorkloadPlan } from '../plan.ts';
import type { SutHandle } from '../sut.ts';
import type { FaultAct, FaultKind } from './kind.ts';
import type { PlannedFault } from './plan.ts';
import { faultKind } from './registry.ts';
import { errorMessage } from '../../../system/errors.ts';

/** One act of a fault (its strike, or a repeat). Times are ms from the run start. */
export interface FaultActRecord {
  act: number;
  plannedAt: number;
  at: number;
  ok: boolean;
  error?: string;
  /** It waited for an earlier fault's heal on the same process first: which, and how long (ms). */
  deferred?: { by: string; ms: number };
}

/** One fault as it happened. Times are ms from the run start. */
export interface FaultRecord {
  index: number;
  do: Fault['do'];
  /** The scenario's entry, as written (resolved). */
  spec: Fault;
  plannedAt: number;
  /** When its first act succeeded. */
  startedAt?: number;
  /** When the fault's window ended and its heal began. */
  healStartedAt?: number;
  /** When the heal finished (a restart done, toxics removed). */
  healedAt?: number;
  /**
   * /health answered 200 (every component ok) again, this long after the window ended (ms): the
   * heal's own work (restarting a process, reopening the DB) counts as recovery, so an instant
   * fault (agent.crash, orchestrator.kill) is measured from the moment it struck.
   */
  recoveryMs?: number;
  /** The recovery wait ran out (recoveryTimeoutMs) without a healthy answer. */
  recoveryTimedOut?: boolean;
  /** Every act, in order: the first strike and each repeat. */
  acts: FaultActRecord[];
  /** What the fault hit (pids, worker ids, toxic names). */
  details: Record<string, unknown>;
  /** The heal failed with this. */
  healError?: string;
  /** The first failure of the fault (an act or its heal), for one-line displays. */
  error?: string;
  /** Its first act found no target (HARN_RUNNER_FAULT_NO_TARGET): nothing was injected; the faults.targets gate fails. */
  targetMissing?: string;
}

/** What faults act on. */
export interface FaultContext {
  env: Environment;
  sut: SutHandle;
  api: ApiClient;
  plan: WorkloadPlan;
  seed: number;
  now: () => number;
  signal: AbortSignal;
  /** Upper bound on waiting for recovery after a heal (ms). */
  recoveryTimeoutMs: number;
  /** Where recovery waits are recorded (waits.ts). @default not recorded */
  history?: History;
  /** Kind lookup. @default the registry */
  kinds?: (name: string) => FaultKind;
}

/** How long an instant fault's recovery wait looks for the system to notice it (ms). */
const DIP_WINDOW_MS = 2000;
/** Between two /health polls of a recovery wait (ms). */
const HEALTH_POLL_MS = 100;

/** A kill or restart of a process whose heal has not finished: `healed` resolves when it has. */
interface Lifecycle {
  /** `orchestrator.kill #0`: for the records of the faults that waited. */
  by: string;
  /** Index of the fault in the plan. */
  owner: number;
  healed: Promise<void>;
  done: () => void;
}

interface Pending {
  kind: FaultKind;
  /** What each successful act left for the heal, with the act it came from. */
  states: { act: FaultAct<Fault>; state: unknown }[];
}

/** Runs a scenario's fault plan; `healAll()` must be called in a finally. */
export class FaultTimeline {
  readonly records: FaultRecord[] = [];
  readonly #ctx: FaultContext;
  readonly #pending = new Map<FaultRecord, Pending>();
  /** Per process (PROCESS_GROUPS), the kill or restart of it whose heal has not finished yet. */
  readonly #lifecycle = new Map<string, Lifecycle>();

  constructor(ctx: FaultContext) {
    this.#ctx = ctx;
  }

  /** Executes the plan; rejects with the first failed first act or heal (after every fault settled). */
  async run(plan: readonly PlannedFault[]): Promise<void> {
    const results = await Promise.allSettled(plan.map((planned) => this.#runOne(planned)));
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) throw failed.reason;
  }

  /** Heals every fault still active. `aborting`: the run is being torn down (skip restarts). Never rejects. */
  async healAll(aborting: boolean): Promise<string[]> {
    const errors: string[] = [];
    for (const [record, pending] of [...this.#pending].reverse()) {
      this.#pending.delete(record);
      record.healStartedAt ??= this.#ctx.now();
      const error = await this.#heal(pending, aborting);
      this.#endLifecycle(record.index);
      if (error === undefined) record.healedAt ??= this.#ctx.now();
      else {
        record.healError = error;
        record.error ??= `heal: ${error}`;
        errors.push(`${record.do}: ${error}`);
      }
    }
    // Belt and braces: whatever a heal missed, no toxic and no disabled proxy survives the run.
    await this.#ctx.env.toxiproxy.reset().catch((err: unknown) => errors.push(`toxiproxy reset: ${errorMessage(err)}`));
    return errors;
  }

  async #runOne(planned: PlannedFault): Promise<void> {
    try {
      await this.#play(planned);
    } finally {
      this.#endLifecycle(planned.index); // a failed strike or heal, an abort: nothing waits on it any longer
    }
  }

  async #play(planned: PlannedFault): Promise<void> {
    const ctx = this.#ctx;
    const kind = (ctx.kinds ?? faultKind)(planned.do);
    const draws = [...planned.draws];
    // Past the planned draws (a very long retry chain): a stream still fixed by the seed.
    const spare = mulberry32(ctx.seed + planned.index);
    const draw = () => (draws.length > 0 ? draws.shift()! : spare());
    let record: FaultRecord | undefined;
    const pending: Pending = { kind, states: [] };
    for (const [i, at] of planned.actsAt.entries()) {
      await this.#sleepUntil(at);
      if (ctx.signal.aborted) break;
      const deferred = await this.#afterLifecycleOf(planned);
      // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- the run may be aborted while it waited
      if (ctx.signal.aborted) break;
      if (i === 0) this.#startLifecycle(planned);
      if (!record) {
        record = { index: planned.index, do: planned.do, spec: planned.fault, plannedAt: planned.at, acts: [], details: {} };
        this.records.push(record);
      }
      const act: FaultAct<Fault> = {
        fault: planned.fault,
        index: planned.index,
        act: i,
        env: ctx.env,
        sut: ctx.sut,
        api: ctx.api,
        plan: ctx.plan,
        signal: ctx.signal,
        draw,
        details: record.details,
      };
      const entry: FaultActRecord = { act: i, plannedAt: at, at: ctx.now(), ok: false, ...(deferred ? { deferred } : {}) };
      record.acts.push(entry);
      try {
        const state = await bounded(kind.inject(act), ctx.recoveryTimeoutMs, 'the act');
        pending.states.push({ act, state });
        entry.ok = true;
        record.startedAt ??= ctx.now();
        if (i === 0) this.#pending.set(record, pending);
      } catch (err) {
        entry.error = errorMessage(err);
        record.error ??= i === 0 ? entry.error : `act ${i}: ${entry.error}`;
        if (i > 0) continue;
        if (err instanceof FaultUnsupportedError) throw err;
        // Nothing to act on is about the scenario's timing against the system, not the harness: on to a verdict.
        if (err instanceof FaultTargetMissingError) {
          record.targetMissing = entry.error;
          return;
        }
        throw new FaultInjectionError(planned.do, 'inject', err);
      }
    }
    if (!record || !this.#pending.has(record)) return;
    await this.#sleepUntil(planned.healAt);
    if (!this.#pending.has(record)) return; // healAll() got there first
    this.#pending.delete(record);
    record.healStartedAt = ctx.now();
    const error = await this.#heal(pending, ctx.signal.aborted);
    this.#endLifecycle(planned.index);
    if (error !== undefined) {
      record.healError = error;
      record.error ??= `heal: ${error}`;
      throw new FaultInjectionError(planned.do, 'heal', new Error(error));
    }
    record.healedAt = ctx.now();
    if (ctx.signal.aborted) return;
    const instant = planned.healAt === planned.at;
    const wait = startWait(ctx.history, 'recovery');
    record.recoveryMs = await this.#waitHealthy(record.healStartedAt, instant);
    if (record.recoveryMs !== undefined) wait.ok(`${planned.do} #${planned.index}: healthy after ${Math.round(record.recoveryMs)} ms`);
    // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- the run may be aborted while the health wait ran
    else if (!ctx.signal.aborted) {
      record.recoveryTimedOut = true;
      wait.expired(`${planned.do} #${planned.index}: /health not 200 within ${ctx.recoveryTimeoutMs} ms of the heal`);
    } else {
      // The run ended (timeouts.total, a cancel) during the wait: the journal says which wait it was.
      wait.expired(`${planned.do} #${planned.index}: the run ended (${errorMessage(ctx.signal.reason)}) while waiting for /health after the heal`);
    }
  }

  /**
   * Waits while another fault's kill or restart of this fault's process has not healed (its
   * restart still running), at most recoveryTimeoutMs in all; returns which one and how long, or
   * undefined when nothing was in the way. After the bound the act goes ahead (and may fail).
   */
  async #afterLifecycleOf(planned: PlannedFault): Promise<{ by: string; ms: number } | undefined> {
    const group = PROCESS_GROUPS[planned.do];
    if (group === undefined) return undefined;
    const { now, signal, recoveryTimeoutMs } = this.#ctx;
    const started = now();
    let by: string | undefined;
    for (let busy = this.#lifecycle.get(group); busy !== undefined && busy.owner !== planned.index; busy = this.#lifecycle.get(group)) {
      by ??= busy.by;
      const left = recoveryTimeoutMs - (now() - started);
      if (left <= 0 || signal.aborted) break;
      // The sleep is only the bound: stop its timer once the heal won the race.
      const bound = new AbortController();
      await Promise.race([busy.healed, sleep(left, AbortSignal.any([signal, bound.signal]))]);
      bound.abort();
    }
    return by === undefined ? undefined : { by, ms: Math.round(now() - started) };
  }

  /** A kill or restart strikes: other faults on its process wait for its heal (#afterLifecycleOf). */
  #startLifecycle(planned: PlannedFault): void {
    const group = PROCESS_GROUPS[planned.do];
    if (group === undefined || !LIFECYCLE_FAULTS.has(planned.do)) return;
    let done!: () => void;
    const healed = new Promise<void>((resolve) => (done = resolve));
    this.#lifecycle.set(group, { by: `${planned.do} #${planned.index}`, owner: planned.index, healed, done });
  }

  /** The fault `owner` healed (or will never heal): release whoever waits on it. Idempotent. */
  #endLifecycle(owner: number): void {
    for (const [group, busy] of this.#lifecycle) {
      if (busy.owner !== owner) continue;
      this.#lifecycle.delete(group);
      busy.done();
    }
  }

  /** Sleeps until the run clock reads `at` (a timer may fire a little early: never act before the plan says). */
  async #sleepUntil(at: number): Promise<void> {
    const { now, signal } = this.#ctx;
    while (!signal.aborted && now() < at) await sleep(Math.max(1, Math.ceil(at - now())), signal);
  }

  /** Heals every act of a fault, last first; resolves with the first error's message, if any. */
  async #heal(pending: Pending, aborting: boolean): Promise<string | undefined> {
    let error: string | undefined;
    for (const { act, state } of [...pending.states].reverse()) {
      try {
        await bounded(Promise.resolve(pending.kind.heal?.(act, state, aborting)), this.#ctx.recoveryTimeoutMs, 'the heal');
      } catch (err) {
        error ??= errorMessage(err);
      }
    }
    return error;
  }

  /**
   * Polls /health until 200; the time from the end of the fault's window is its recovery. An
   * instant fault (a SIGKILL) is polled right after it struck, often before the system noticed
   * (the pool handles the exit a moment later): a 200 then says nothing. So for those a first 200
   * counts only once DIP_WINDOW_MS passed without the system ever reporting unhealthy.
   */
  async #waitHealthy(from: number, instant: boolean): Promise<number | undefined> {
    const ctx = this.#ctx;
    const deadline = from + ctx.recoveryTimeoutMs;
    let firstOk: number | undefined;
    let dipped = !instant;
    while (!ctx.signal.aborted && ctx.now() < deadline) {
      let ok = false;
      try {
        ok = (await ctx.api.health()).status === 200;
      } catch {
        // down: keep polling
      }
      if (ok && dipped) return Math.max(0, ctx.now() - from);
      if (ok) {
        firstOk ??= ctx.now();
        if (ctx.now() - from >= DIP_WINDOW_MS) return Math.max(0, firstOk - from);
      } else {
        dipped = true;
      }
      await sleep(HEALTH_POLL_MS, ctx.signal);
    }
    return undefined;
  }
}

/**
 * Bounds one inject or heal (a restart that never comes back, a Toxiproxy call that hangs): past
 * `ms` it rejects, and the timeline records that as the act's or the heal's error. The operation
 * itself is not cancelled; teardown SIGKILLs what it started.
 */
function bounded<T>(work: Promise<T>, ms: number, what: string): Promise<T> {
  return withDeadline(work, ms, () => new Error(`${what} did not finish within ${ms} ms (timeouts.drain)`));
}
