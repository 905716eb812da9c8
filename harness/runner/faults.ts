/**
 * The fault timeline: each fault is injected at `at` (ms from the run start), healed at
 * `at + for` (instant faults heal right after they act), and ALWAYS healed — `healAll()` runs in
 * the run's finally, whatever happened. Every fault is recorded with when it really started and
 * ended, and how long the system took to answer /health with 200 again afterwards (recovery).
 *
 * DB faults act on the DB proxy (a real TCP fault the orchestrator sees), process faults on real
 * processes (SIGKILL / SIGTERM).
 */
import { readdirSync, readFileSync } from 'node:fs';
import type { Proxy } from 'toxiproxy-node-client';
import type { Environment } from '../env/providers/types.ts';
import { mulberry32 } from '../metrics/index.ts';
import type { Fault } from '../scenario/index.ts';
import type { ApiClient } from './api-client.ts';
import { sleep } from './cleanup.ts';
import { FaultInjectionError, FaultUnsupportedError } from './errors.ts';
import type { WorkloadPlan } from './plan.ts';
import type { SutHandle } from './sut.ts';

/** One fault as it happened. Times are ms from the run start. */
export interface FaultRecord {
  index: number;
  do: Fault['do'];
  /** The scenario's entry, as written (resolved). */
  spec: Fault;
  plannedAt: number;
  startedAt?: number;
  /** When the fault's window ended and its heal began (ms from run start). */
  healStartedAt?: number;
  /** When the heal finished (a restart done, toxics removed). */
  healedAt?: number;
  /**
   * /health answered 200 (every component ok) again, this long after the window ended (ms): the
   * heal's own work (restarting a process, reopening the DB) counts as recovery, so an instant
   * fault (agent.crash, orchestrator.kill) is measured from the moment it struck.
   */
  recoveryMs?: number;
  /** What the fault hit (pids, worker ids, toxic names). */
  details: Record<string, unknown>;
  error?: string;
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
}

type Heal = (aborting: boolean) => Promise<void>;

/**
 * One fault of the schedule, fixed before the run: when it strikes, when it heals, when a
 * repeating fault acts again, and the seeded draws its choices consume in order (the /admin kill
 * seed of each actors.kill, the pick of a `random` worker). Each fault has its own stream of
 * draws, so faults that overlap cannot steal each other's numbers in a timing-dependent order.
 */
export interface PlannedFault {
  index: number;
  do: Fault['do'];
  at: number;
  healAt: number;
  /** When the fault acts (one entry, or one per `every` inside `for`). */
  actsAt: number[];
  /** Uniform draws in [0, 1), consumed in order by the fault's choices. */
  draws: number[];
}

/** How long an instant fault's recovery wait looks for the system to notice it (ms). */
const DIP_WINDOW_MS = 2000;

/** Draws per fault beyond what its acts need (a pick may need a retry when its target vanished). */
const SPARE_DRAWS = 8;

/** The fault schedule of a scenario: pure, deterministic per (faults, seed). */
export function planFaults(faults: readonly Fault[], seed: number): PlannedFault[] {
  return faults.map((fault, index) => {
    const window = 'for' in fault && fault.for !== undefined ? fault.for : 0;
    const actsAt = [fault.at];
    if (fault.do === 'actors.kill' && fault.every !== undefined && fault.every > 0) {
      for (let t = fault.at + fault.every; t < fault.at + window; t += fault.every) actsAt.push(t);
    }
    const random = mulberry32(((seed ^ 0x5eed) + Math.imul(index + 1, 0x9e3779b1)) | 0);
    const perAct = 'count' in fault && typeof fault.count === 'number' ? fault.count : 1;
    const draws = Array.from({ length: actsAt.length * perAct + SPARE_DRAWS }, () => random());
    return { index, do: fault.do, at: fault.at, healAt: fault.at + window, actsAt, draws };
  });
}

/** Runs a scenario's fault timeline; `healAll()` must be called in a finally. */
export class FaultTimeline {
  readonly records: FaultRecord[] = [];
  readonly #ctx: FaultContext;
  readonly #pending = new Map<FaultRecord, Heal>();
  /** Each fault's seeded draws, consumed in order (see PlannedFault). */
  readonly #draws = new Map<number, number[]>();

  constructor(ctx: FaultContext) {
    this.#ctx = ctx;
  }

  /** Injects and heals every fault on schedule; rejects with the first injection error. */
  async run(faults: readonly Fault[]): Promise<void> {
    for (const planned of planFaults(faults, this.#ctx.seed)) this.#draws.set(planned.index, [...planned.draws]);
    const results = await Promise.allSettled(faults.map((fault, index) => this.#runOne(fault, index)));
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) throw failed.reason;
  }

  /** Heals every fault still active. `aborting`: the run is being torn down (skip restarts). Never rejects. */
  async healAll(aborting: boolean): Promise<string[]> {
    const errors: string[] = [];
    for (const [record, heal] of [...this.#pending].reverse()) {
      this.#pending.delete(record);
      try {
        await heal(aborting);
        record.healedAt ??= this.#ctx.now();
      } catch (err) {
        errors.push(`${record.do}: ${(err as Error).message}`);
      }
    }
    // Belt and braces: whatever a heal missed, no toxic and no disabled proxy survives the run.
    await this.#ctx.env.toxiproxy.reset().catch((err: Error) => errors.push(`toxiproxy reset: ${err.message}`));
    return errors;
  }

  async #runOne(fault: Fault, index: number): Promise<void> {
    const ctx = this.#ctx;
    await sleep(fault.at - ctx.now(), ctx.signal);
    if (ctx.signal.aborted) return;
    const record: FaultRecord = { index, do: fault.do, spec: fault, plannedAt: fault.at, details: {} };
    this.records.push(record);
    let heal: Heal;
    try {
      heal = await this.#inject(fault, record);
      record.startedAt = ctx.now();
    } catch (err) {
      record.error = (err as Error).message;
      if (err instanceof FaultUnsupportedError) throw err;
      throw new FaultInjectionError(fault.do, 'inject', err);
    }
    this.#pending.set(record, heal);
    const window = 'for' in fault && fault.for !== undefined ? fault.for : 0;
    await sleep(window, ctx.signal);
    if (!this.#pending.has(record)) return; // healAll() got there first
    this.#pending.delete(record);
    record.healStartedAt = ctx.now();
    try {
      await heal(ctx.signal.aborted);
      record.healedAt = ctx.now();
    } catch (err) {
      record.error = (err as Error).message;
      throw new FaultInjectionError(fault.do, 'heal', err);
    }
    if (!ctx.signal.aborted) record.recoveryMs = await this.#waitHealthy(record.healStartedAt, window === 0);
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
      await sleep(100, ctx.signal);
    }
    return undefined;
  }

  /** The fault's next seeded draw in [0, 1). */
  #draw(index: number): number {
    const draws = this.#draws.get(index);
    // Past the planned draws (a very long retry chain): fall back to a stream still fixed by the seed.
    return draws && draws.length > 0 ? draws.shift()! : mulberry32(this.#ctx.seed + index)();
  }

  /** Injects one fault; resolves with its heal. */
  async #inject(fault: Fault, record: FaultRecord): Promise<Heal> {
    const { env, sut, api } = this.#ctx;
    const db = env.proxies.db;
    switch (fault.do) {
      case 'db.outage': {
        if (fault.mode === 'refuse') {
          await db.update({ enabled: false, listen: db.listen, upstream: db.upstream });
          return async () => void (await db.update({ enabled: true, listen: db.listen, upstream: db.upstream }));
        }
        // hang: connections stay open but nothing flows either way (Toxiproxy timeout 0 = blackhole).
        const toxics = await Promise.all(
          (['upstream', 'downstream'] as const).map((stream) =>
            db.addToxic({ name: `oya-hang-${stream}-${record.index}`, type: 'timeout', stream, toxicity: 1, attributes: { timeout: 0 } }),
          ),
        );
        record.details.toxics = toxics.map((t) => t.name);
        return async () => void (await Promise.all(toxics.map((t) => t.remove())));
      }
      case 'db.latency': {
        const toxic = await db.addToxic({
          name: `oya-latency-${record.index}`,
          type: 'latency',
          stream: 'downstream',
          toxicity: 1,
          attributes: { latency: fault.latency, jitter: fault.jitter },
        });
        return async () => void (await toxic.remove());
      }
      case 'db.reset': {
        const toxic = await db.addToxic({ name: `oya-reset-${record.index}`, type: 'reset_peer', stream: 'downstream', toxicity: 1, attributes: { timeout: 0 } });
        // Without a window, reset what is connected now: give live connections a moment to hit it.
        if (fault.for === undefined) await sleep(200);
        return async () => void (await toxic.remove());
      }
      case 'db.kill': {
        record.details.pid = env.db.pid;
        await env.db.kill('SIGKILL');
        return async () => env.db.restart();
      }
      case 'db.diskFull': {
        const disk = env.db.diskFull;
        if (!disk) throw new FaultUnsupportedError('db.diskFull', 'the environment has no size-limited data disk');
        record.details.filledBytes = await disk.fill();
        return async () => disk.free();
      }
      case 'agent.crash': {
        const killed: { pid: number; workerId: string }[] = [];
        for (let i = 0; i < fault.count; i++) {
          const victim = await this.#pickWorker(fault.target, killed.map((k) => k.pid), record.index);
          if (!victim) break;
          try {
            process.kill(victim.pid, 'SIGKILL');
            killed.push(victim);
          } catch {
            // exited on its own meanwhile
          }
        }
        record.details.killed = killed;
        if (killed.length === 0) throw new Error(`no worker process found for target ${fault.target}`);
        return async () => {};
      }
      case 'agent.partition':
        return this.#partition(fault, record);
      case 'orchestrator.kill': {
        record.details.pid = sut.pid;
        await sut.kill();
        return async (aborting) => {
          if (!aborting) await sut.restart();
        };
      }
      case 'orchestrator.restart': {
        record.details.pid = sut.pid;
        const exit = await sut.stop();
        record.details.exit = exit;
        return async (aborting) => {
          if (!aborting) await sut.restart();
        };
      }
      case 'actors.kill': {
        const killOnce = async () => {
          const res = await api.killActors(fault.count, Math.floor(this.#draw(record.index) * 2 ** 31));
          if (res.status !== 200) throw new Error(`POST /admin/actors/kill answered ${res.status}: ${JSON.stringify(res.body)}`);
          ((record.details.killed ??= []) as unknown[]).push((res.body as { killed?: unknown }).killed);
        };
        await killOnce();
        if (fault.every === undefined || fault.for === undefined) return async () => {};
        // Repeat during the window; the heal stops the repetition.
        const stop = new AbortController();
        const loop = (async () => {
          while (!stop.signal.aborted) {
            await sleep(fault.every!, stop.signal);
            if (!stop.signal.aborted) await killOnce().catch(() => undefined);
          }
        })();
        return async () => {
          stop.abort();
          await loop;
        };
      }
    }
  }

  /**
   * agent.partition: both directions of agent proxies blackholed (Toxiproxy `timeout` 0: data is
   * dropped, connections stay open), like a real partition. `<workflow>.<bead>` / `busiest` cut
   * that worker alone; `random` (the default) cuts every worker, including workers the pool
   * starts during the window (their proxies are polled for). Heal = remove the toxics, which also
   * closes the connections that had them.
   */
  async #partition(fault: Extract<Fault, { do: 'agent.partition' }>, record: FaultRecord): Promise<Heal> {
    const { env } = this.#ctx;
    let only: string | undefined;
    if (fault.target !== 'random') {
      const victim = await this.#pickWorker(fault.target, [], record.index);
      if (!victim) throw new Error(`no worker found for target ${fault.target}`);
      only = `agent-${victim.workerId}`;
    }
    const cut = new Map<string, Awaited<ReturnType<Proxy['addToxic']>>[]>();
    const cutAll = async (): Promise<void> => {
      const proxies = Object.values(await env.toxiproxy.getAll()).filter((p) => p.name.startsWith('agent-') && (only === undefined || p.name === only));
      for (const proxy of proxies) {
        if (cut.has(proxy.name)) continue;
        cut.set(proxy.name, []);
        for (const stream of ['upstream', 'downstream'] as const) {
          const toxic = await proxy.addToxic({ name: `oya-partition-${stream}-${record.index}`, type: 'timeout', stream, toxicity: 1, attributes: { timeout: 0 } }).catch(() => undefined);
          if (toxic) cut.get(proxy.name)!.push(toxic);
        }
      }
    };
    await cutAll();
    if (cut.size === 0) throw new Error(only ? `no agent proxy ${only}: is the orchestrator started with OYA_WORKER_PROXY?` : 'no agent proxies: is the orchestrator started with OYA_WORKER_PROXY?');
    const stop = new AbortController();
    const watch = only !== undefined ? Promise.resolve() : (async () => {
      while (!stop.signal.aborted) {
        await sleep(200, stop.signal);
        if (!stop.signal.aborted) await cutAll().catch(() => undefined);
      }
    })();
    record.details.proxies = [...cut.keys()];
    return async () => {
      stop.abort();
      await watch;
      record.details.proxies = [...cut.keys()];
      // A proxy whose worker exited meanwhile is gone with its toxics: nothing to heal there.
      await Promise.all([...cut.values()].flat().map((t) => t.remove().catch(() => undefined)));
    };
  }

  /** A worker process of the orchestrator: the one running `<workflow>.<bead>`, a busy one, or a seeded random one. */
  async #pickWorker(target: string, exclude: number[], faultIndex: number): Promise<{ pid: number; workerId: string } | undefined> {
    const { sut, api, plan, signal } = this.#ctx;
    const workers = () => workerProcesses(sut.pid).filter((w) => !exclude.includes(w.pid));
    const ref = /^([^.]+)\.(.+)$/.exec(target);
    if (ref || target === 'busiest') {
      const candidates = ref ? (plan.beadRefs.get(target) ?? []).slice(0, 1) : plan.beadIds;
      // Wait (bounded) until the bead runs: a scripted crash "at 3s" means "the worker running it then".
      for (let tries = 0; tries < 200 && !signal.aborted; tries++) {
        for (const beadId of candidates) {
          const res = await api.getBead(beadId).catch(() => undefined);
          const bead = (res?.body as { bead?: { status?: string; workerId?: string | null } } | undefined)?.bead;
          if (bead?.status === 'running' && bead.workerId) {
            const found = workers().find((w) => w.workerId === bead.workerId);
            if (found) return found;
          }
        }
        await sleep(50, signal);
      }
      if (ref) return undefined;
    }
    // Sorted by worker id, so the same seed picks the same slot whatever order /proc lists them in.
    const all = workers().sort((a, b) => a.workerId.localeCompare(b.workerId));
    return all.length === 0 ? undefined : all[Math.floor(this.#draw(faultIndex) * all.length)];
  }
}

/** Faults this runner cannot inject; checked before anything starts, so the run errors at once. */
const UNSUPPORTED: Partial<Record<Fault['do'], string>> = {};

/**
 * Environment for the orchestrator a scenario needs: with an agent.partition on the timeline it
 * reaches every worker through a Toxiproxy proxy `agent-<workerId>` it creates on `toxiproxyUrl`
 * (system/runtime/agent-links.ts), so the partition is a real TCP fault.
 */
export function sutEnvForFaults(faults: readonly Fault[], env: Pick<Environment, 'toxiproxyUrl'>): Record<string, string> {
  return faults.some((f) => f.do === 'agent.partition') ? { OYA_WORKER_PROXY: env.toxiproxyUrl } : {};
}

/** Throws FaultUnsupportedError for the first fault of the timeline this runner cannot inject. */
export function assertFaultsSupported(faults: readonly Fault[]): void {
  for (const fault of faults) {
    const reason = UNSUPPORTED[fault.do];
    if (reason !== undefined) throw new FaultUnsupportedError(fault.do, reason);
  }
}

/** Child processes of `parentPid` that are Oya workers (OYA_WORKER_ID in their environment). */
export function workerProcesses(parentPid: number | undefined): { pid: number; workerId: string }[] {
  if (parentPid === undefined) return [];
  const found: { pid: number; workerId: string }[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      // Field 4 is the parent pid; the command name (field 2) may contain spaces, so split after ')'.
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid !== parentPid) continue;
      const environ = readFileSync(`/proc/${name}/environ`, 'utf8').split('\0');
      const id = environ.find((e) => e.startsWith('OYA_WORKER_ID='));
      if (id) found.push({ pid: Number(name), workerId: id.slice('OYA_WORKER_ID='.length) });
    } catch {
      // the process ended while we looked
    }
  }
  return found;
}
