/**
 * One scenario run, phase by phase:
 *
 *   environment → orchestrator → workload ∥ faults → heal → drain → final state → checks →
 *   metrics → gates → teardown → journal
 *
 * Teardown ALWAYS runs — after a failed gate, a thrown error or `timeouts.total` — and leaves no
 * process, port, mount or temp dir (each resource registers its release right after it is
 * created). The verdict is `pass`, `fail` (a gate failed) or `error` (the run could not be
 * judged); the journal is written in every case.
 */
import { randomBytes } from 'node:crypto';
import { setMaxListeners } from 'node:events';
import { copyFile, mkdir, readFile, rm } from 'node:fs/promises';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { runChecks, type CheckReport } from '../checks/index.ts';
import type { Environment } from '../env/providers/types.ts';
import { makeOwnedTempDir, sweepDeadOwnersTempDirs } from '../env/temp-dirs.ts';
import { History } from '../history/index.ts';
import { gitSha, journalPath, versions, writeJournal, type Journal, type Verdict } from '../report/journal.ts';
import { loadScenarioFile, type ProfileName, type ResolvedScenario } from '../scenario/index.ts';
import { ApiClient } from './api-client.ts';
import { CleanupStack, type CleanupFailure } from './cleanup.ts';
import { drain, waitOutboxQuiet, type DrainResult } from './drain.ts';
import { EnvUnavailableError, RunCancelledError, RunTimeoutError } from './errors.ts';
import { assertFaultsSupported, environmentOptionsFor, FaultTimeline, planFaults, sutEnvForFaults } from './faults/index.ts';
import { readFinalState, toCheckEvents } from './final-state.ts';
import { evaluateGates, expectationsFor, type GateResult } from './gates.ts';
import { leakGates, leakMemorySeries, startLeakPhase, withoutLeakThresholds, type LeakJournal } from './leak-phase.ts';
import { baselineGates, measure, startMemorySampler, type Measured } from './measure.ts';
import { planWorkload } from './plan.ts';
import { startSut, type SutHandle } from './sut.ts';
import { summariseSubmissions, type SubmissionSummary } from './submissions.ts';
import { expiredWaits, waitBudgets } from './waits.ts';
import { runWorkload, type WorkloadOutcome } from './workload.ts';
import { errorMessage } from '../../system/errors.ts';

/** The phases of a run, in order. */
export const PHASES = ['environment', 'orchestrator', 'workload', 'drain', 'final-state', 'checks', 'metrics', 'gates'] as const;
export type PhaseName = (typeof PHASES)[number];

/** Bound on running the checks after the run broke (heal, final state, checks) (ms). */
export const SALVAGE_TIMEOUT_MS = 60_000;

/** Bound on set-up (environment and orchestrator start) when timeouts.total is shorter (ms). */
export const SETUP_TIMEOUT_MS = 120_000;

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

/** Options of {@link runScenario}. */
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
  journal: Journal;
  journalPath: string;
  /** For `error`: the error. */
  error?: unknown;
  resources: RunResources;
}

/** Loads a scenario file (throws ScenarioSourceError / ScenarioInvalidError) and runs it. */
export async function runScenarioFile(file: string, options: RunOptions & { profile?: ProfileName } = {}): Promise<RunResult> {
  const scenario = await loadScenarioFile(file, { profile: options.profile });
  return runScenario(scenario, options);
}

/** Runs one resolved scenario to a verdict. Never rejects for a run failure: see `verdict`. */
export async function runScenario(scenario: ResolvedScenario, options: RunOptions = {}): Promise<RunResult> {
  const reportDir = options.reportDir ?? DEFAULT_REPORT_DIR;
  const log = options.log ?? (() => {});
  const startedAt = new Date();
  // The scenario's clock starts at the first arrival (the workload phase), not at set-up: fault
  // `at` times and intended send times are offsets from it. Set-up readings are negative.
  let zero = performance.now();
  let zeroWall = Date.now();
  const now = () => performance.now() - zero;
  const cleanup = new CleanupStack();
  const controller = new AbortController();
  // Every in-flight wait (retry backoffs, cancel waits, fault timers) listens on it: many at once is normal.
  setMaxListeners(0, controller.signal);
  const resources: RunResources = { sutPids: [], envLabel: scenario.name.slice(0, 40) };
  const phases: Journal['phases'] = [];
  const history = new History({ clock: now });
  const plan = planWorkload(scenario);
  const budgets = waitBudgets(scenario);
  const state: {
    env?: Environment;
    sut?: SutHandle;
    api?: ApiClient;
    salvaged?: boolean;
    submissions?: SubmissionSummary;
    timeline?: FaultTimeline;
    workload?: WorkloadOutcome;
    drain?: DrainResult;
    checks?: CheckReport;
    measured?: Measured;
    leak?: LeakJournal;
    gates: GateResult[];
    phase: string;
  } = { gates: [], phase: 'environment' };
  const artifacts: Record<string, string> = {};
  let dbServerVersion: string | undefined;

  const phase = async <T>(name: PhaseName, fn: () => T | Promise<T>): Promise<T> => {
    state.phase = name;
    const p0 = performance.now();
    log(`[${scenario.name}] ${name}…`);
    try {
      if (controller.signal.aborted) throw controller.signal.reason;
      const value = await fn();
      phases.push({ name, ms: Math.round(performance.now() - p0) });
      await options.afterPhase?.(name, resources);
      return value;
    } catch (err) {
      phases.push({ name, ms: Math.round(performance.now() - p0), error: errorMessage(err) });
      throw err;
    }
  };

  const body = async (): Promise<void> => {
    const env = await phase('environment', async () => {
      // What a SIGKILLed run left (its own teardown never ran): dirs, and tmpfs mounted in them.
      const swept = await sweepDeadOwnersTempDirs();
      if (swept.length > 0) log(`[${scenario.name}] removed ${swept.length} temp dir(s) of dead runs: ${swept.join(', ')}`);
      // A provider forced by the caller is checked before anything starts; a detected one right after it started.
      if (options.envKind) assertFaultsSupported(scenario.faults, { kind: options.envKind });
      const { startEnvironment } = await import('../env/providers/index.ts').catch((err: unknown) => {
        throw new EnvUnavailableError(err);
      });
      const started = await startEnvironment({
        seed: scenario.seed,
        label: resources.envLabel,
        ...(options.envKind ? { kind: options.envKind } : {}),
        ...environmentOptionsFor(scenario.faults),
      });
      cleanup.push('stop environment', () => started.stop());
      assertFaultsSupported(scenario.faults, started);
      resources.dbPid = started.db.pid;
      dbServerVersion = await serverVersion(started.dbDirectUrl);
      return started;
    });
    state.env = env;

    const runDir = await makeOwnedTempDir(`oya-run-${scenario.name.slice(0, 40)}-`);
    cleanup.push('remove run dir', () => rm(runDir, { recursive: true, force: true }));
    resources.runDir = runDir;
    resources.dataDir = join(runDir, 'data');
    const logFile = join(runDir, 'orchestrator.log');
    cleanup.push('keep orchestrator log', async () => {
      const dest = journalPath(reportDir, scenario.kind, scenario.name).replace(/\.json$/, '.orchestrator.log');
      await mkdir(join(reportDir, scenario.kind), { recursive: true });
      await copyFile(logFile, dest).then(
        () => (artifacts.orchestratorLog = dest),
        () => undefined,
      );
    });

    const sut = await phase('orchestrator', async () => {
      const handle = await startSut({
        dataDir: resources.dataDir!,
        dbUrl: env.dbUrl,
        dbCredentials: env.dbCredentials,
        workers: scenario.system.workers,
        seed: scenario.seed,
        reconcileTickMs: scenario.system.reconcileTick,
        heartbeatTimeoutMs: scenario.system.timeouts.heartbeat,
        defects: scenario.system.defects,
        logFile,
        stopTimeoutMs: scenario.system.timeouts.shutdown + 5_000,
        ...(scenario.system.admin ? { adminToken: randomBytes(16).toString('hex') } : {}),
        // Leak runs read the orchestrator's heap and take snapshots through its inspector.
        ...(scenario.kind === 'leak' ? { inspect: true } : {}),
        // agent.partition: the orchestrator reaches its workers through Toxiproxy agent proxies.
        env: sutEnvForFaults(scenario.faults, env),
      });
      // Graceful after a complete run; after a failure or timeout, SIGKILL every process group.
      cleanup.push('stop orchestrator', async () => {
        if (controller.signal.aborted || state.phase !== 'done') handle.destroy();
        else await handle.close();
        await handle.logClosed;
      });
      resources.sutPids = handle.pids as number[];
      resources.sutPort = handle.port;
      return handle;
    });
    state.sut = sut;
    const api = new ApiClient({ baseUrl: () => sut.url, adminToken: () => sut.adminToken });
    cleanup.push('close API client', () => api.destroy());
    state.api = api;
    // Beads finished, for progress: each orchestrator process counts from zero, so a restart (a
    // new pid) keeps what the previous ones reported instead of starting the count over.
    const finishedByPid = new Map<number, { done: number; failed: number }>();

    const memory = startMemorySampler(api, now, 1000, {
      pid: () => sut.pid,
      dbPid: () => env.db.pid,
      // Elapsed read now, not the sample's start: a sample begun during set-up may end after the clock's zero moved.
      onSample: (s) => {
        if (s.pid !== undefined && s.done !== undefined) finishedByPid.set(s.pid, { done: s.done, failed: s.failed ?? 0 });
        const total = [...finishedByPid.values()].reduce((a, b) => ({ done: a.done + b.done, failed: a.failed + b.failed }), { done: 0, failed: 0 });
        options.onProgress?.({ elapsedMs: Math.max(0, now()), ...total, phase: state.phase });
      },
    });
    cleanup.push('stop memory sampler', () => memory.stop());
    const timeline = new FaultTimeline({
      env,
      sut,
      api,
      plan,
      seed: scenario.seed,
      now,
      signal: controller.signal,
      recoveryTimeoutMs: budgets.recovery,
      history,
    });
    state.timeline = timeline;
    cleanup.push('heal faults', async () => {
      const errors = await timeline.healAll(true);
      if (errors.length > 0) throw new Error(errors.join('; '));
    });

    await phase('workload', async () => {
      zero = performance.now();
      zeroWall = Date.now();
      armTotal();
      const leak =
        scenario.kind === 'leak'
          ? await startLeakPhase({ scenario, sut, durationMs: plan.lastArrivalAt, now, snapshotDir: join(runDir, 'heap'), log })
          : undefined;
      if (leak) cleanup.push('stop leak watch', () => leak.close());
      const faults = timeline.run(planFaults(scenario.faults, scenario.seed)).catch((err: unknown) => {
        controller.abort(err);
        throw err;
      });
      state.workload = await runWorkload({ plan, api, history, now, signal: controller.signal, budgets });
      await faults;
      const errors = await timeline.healAll(false);
      if (errors.length > 0) throw new Error(`healing faults failed: ${errors.join('; ')}`);
      // Final heap snapshot, memlab and the leak gates, once the arrivals have ended.
      if (leak) state.leak = await leak.finish();
    });

    state.drain = await phase('drain', () => drain({ api, history, timeoutMs: budgets.drain, signal: controller.signal }));
    await memory.stop();

    const final = await phase('final-state', async () => {
      // Read the DB only once the orchestrator has nothing left in its outbox (bounded: the drain's budget).
      const outbox = await waitOutboxQuiet({ api, timeoutMs: budgets.drain, signal: controller.signal });
      const read = await readFinalState({ api, beadIds: plan.beadIds, db: { url: env.dbDirectUrl, ...env.dbCredentials }, dataDir: resources.dataDir! });
      return { ...read, outboxQuiet: outbox.quiet };
    });
    state.submissions = summariseSubmissions(history.entries(), final.apiBeads);
    state.checks = await phase('checks', () =>
      runChecks({
        history,
        finalBeads: final.apiBeads,
        logBeads: final.logBeads,
        events: toCheckEvents(final.events),
        sideEffects: final.sideEffects,
        expectations: expectationsFor(scenario, plan),
        outboxQuiet: final.outboxQuiet,
        drained: state.drain!.drained,
      }),
    );
    state.measured = await phase('metrics', () =>
      measure({
        events: final.events,
        history,
        plan,
        faults: timeline.records,
        workload: state.workload,
        memory: state.leak ? leakMemorySeries(state.leak) : memory.samples,
        t0Wall: zeroWall,
        endAt: now(),
      }),
    );
    state.gates = await phase('gates', async () => [
      ...evaluateGates({
        scenario: withoutLeakThresholds(scenario),
        checks: state.checks!,
        measured: state.measured!,
        invalid: state.workload?.invalid ?? [],
        drain: state.drain!,
      }),
      ...(state.leak ? leakGates(state.leak, scenario) : []),
      ...(await baselineGates(scenario, state.measured!)),
    ]);
    state.phase = 'done';
  };

  /**
   * The run broke (a fault that could not be played, `timeouts.total`, a phase that threw): the
   * verdict is `error`, but every check that can still run does, on what can be read now — heal
   * what is active (restarting a killed orchestrator), read the final state, run the checks —
   * bounded by SALVAGE_TIMEOUT_MS. What it could not do is said in the journal's phases.
   */
  const salvageChecks = async (): Promise<void> => {
    const { env, sut, api, timeline } = state;
    if (!env || !sut || !api) return;
    log(`[${scenario.name}] the run broke in ${state.phase}: running the checks on what can be read`);
    const p0 = performance.now();
    let timer: NodeJS.Timeout | undefined;
    const work = (async () => {
      await timeline?.healAll(false);
      const final = await readFinalState({ api, beadIds: plan.beadIds, db: { url: env.dbDirectUrl, ...env.dbCredentials }, dataDir: resources.dataDir! });
      state.submissions = summariseSubmissions(history.entries(), final.apiBeads);
      state.checks = runChecks({
        history,
        finalBeads: final.apiBeads,
        logBeads: final.logBeads,
        events: toCheckEvents(final.events),
        sideEffects: final.sideEffects,
        expectations: expectationsFor(scenario, plan),
      });
      state.salvaged = true;
    })();
    try {
      await Promise.race([
        work,
        new Promise((_, reject) => (timer = setTimeout(() => reject(new Error(`not done within ${SALVAGE_TIMEOUT_MS} ms`)), SALVAGE_TIMEOUT_MS))),
      ]);
      phases.push({ name: 'salvage-checks', ms: Math.round(performance.now() - p0) });
    } catch (err) {
      work.catch(() => undefined);
      phases.push({ name: 'salvage-checks', ms: Math.round(performance.now() - p0), error: errorMessage(err) });
    } finally {
      clearTimeout(timer);
    }
  };

  let error: unknown;
  let timer: NodeJS.Timeout | undefined;
  // The run proper gets `total` from its first arrival; set-up (environment, orchestrator start)
  // gets its own bound, so a slow machine's start-up does not eat the scenario's budget.
  const armTotal = (ms = scenario.timeouts.total): void => {
    clearTimeout(timer);
    timer = setTimeout(() => controller.abort(new RunTimeoutError(ms, state.phase)), ms);
  };
  armTotal(Math.max(scenario.timeouts.total, SETUP_TIMEOUT_MS));
  const cancel = (): void => {
    const reason: unknown = options.signal?.reason;
    controller.abort(new RunCancelledError(reason === undefined ? 'cancelled' : errorMessage(reason), state.phase));
  };
  if (options.signal?.aborted) cancel();
  else options.signal?.addEventListener('abort', cancel, { once: true });
  try {
    // Race the body against the abort, so a stuck await cannot hold teardown back.
    const aborted = new Promise<never>((_, reject) => controller.signal.addEventListener('abort', () => reject(controller.signal.reason), { once: true }));
    aborted.catch(() => undefined);
    await Promise.race([body(), aborted]);
  } catch (err) {
    error = err;
    if (!controller.signal.aborted) controller.abort(err);
  } finally {
    clearTimeout(timer);
    options.signal?.removeEventListener('abort', cancel);
  }
  const failedPhase = error === undefined ? undefined : state.phase;
  // A cancelled run is not judged: the caller wants it gone (salvaging could take SALVAGE_TIMEOUT_MS).
  if (error !== undefined && state.checks === undefined && !(error instanceof RunCancelledError)) await salvageChecks();
  const teardown: CleanupFailure[] = await cleanup.run();
  const verdict: Verdict = error !== undefined ? 'error' : state.gates.every((g) => g.pass) ? 'pass' : 'fail';
  const endedAt = new Date();
  const source = await readFile(scenario.file, 'utf8').catch(() => undefined);
  const journal: Journal = {
    version: 1,
    scenario: {
      name: scenario.name,
      kind: scenario.kind,
      file: scenario.file,
      ...(scenario.description ? { description: scenario.description } : {}),
      ...(source !== undefined ? { source } : {}),
      resolved: scenario,
    },
    profile: scenario.profile,
    seed: scenario.seed,
    versions: { ...versions(), surrealdb: { ...versions().surrealdb, ...(dbServerVersion ? { server: dbServerVersion } : {}) } },
    gitSha: gitSha() ?? null,
    host: { platform: process.platform, arch: process.arch, cpus: cpus().length },
    startedAt: startedAt.toISOString(),
    endedAt: endedAt.toISOString(),
    zeroAt: new Date(zeroWall).toISOString(),
    durationMs: endedAt.getTime() - startedAt.getTime(),
    verdict,
    ...(error !== undefined
      ? {
          error: { ...((error as { code?: string }).code ? { code: (error as { code: string }).code } : {}), message: errorMessage(error), phase: failedPhase },
        }
      : {}),
    phases,
    faults: state.timeline?.records ?? [],
    ...(state.measured
      ? {
          metrics: {
            ...state.measured.json,
            arrivals: state.measured.arrivals,
            dropped: state.measured.dropped,
            memory: state.measured.memory,
            windows: state.measured.windows,
          },
        }
      : {}),
    ...(state.checks ? { checks: state.checks } : {}),
    gates: state.gates,
    ...(state.drain ? { drain: state.drain } : {}),
    waits: expiredWaits(history.entries()),
    ...(state.submissions ? { submissions: state.submissions } : {}),
    ...(state.salvaged ? { salvaged: true } : {}),
    ...(state.leak ? { leak: state.leak } : {}),
    ...(state.workload ? { workload: state.workload } : {}),
    ...(state.sut ? { orchestrator: { pids: [...state.sut.pids], exits: [...state.sut.exits] } } : {}),
    teardown,
    artifacts,
    history: history.toJSON(),
  };
  const path = await writeJournal(reportDir, journal);
  log(`[${scenario.name}] ${verdict} (${journal.durationMs} ms) → ${path}`);
  return { verdict, gates: state.gates, journal, journalPath: path, ...(error !== undefined ? { error } : {}), resources };
}

/** SurrealDB's `GET /version` on the server behind a ws:// URL (its HTTP port), or undefined. */
async function serverVersion(wsUrl: string): Promise<string | undefined> {
  try {
    const url = new URL('/version', wsUrl.replace(/^ws/, 'http'));
    const res = await fetch(url, { signal: AbortSignal.timeout(2_000) });
    return res.ok ? (await res.text()).trim().slice(0, 100) : undefined;
  } catch {
    return undefined;
  }
}
