/**
 * startOrchestrator(): the whole system in one process, started in order —
 *   1. the event store (embedded surrealkv in <dataDir>/db, or a remote ws:// SurrealDB), and the
 *      state rebuilt from it (recovery.ts);
 *   2. the supervision tree: storage/log, scheduling/{dispatcher,reconciler}, workers/runner-<i>;
 *   3. the warm worker pool;
 *   4. the reconciliation loop;
 *   5. the REST API —
 * and stopped in the reverse spirit (shutdown.ts): refuse work, stop in-flight attempts and
 * record them for resumption, drain the API, stop the tree, flush the log, stop the workers.
 */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { UniverseSupervisor, actor, supervisor, type ActorRef } from '../actors/index.ts';
import { startApiServer, type ApiServerHandle } from '../api/index.ts';
import { openEventStore } from '../events/index.ts';
import { ReadyQueue } from '../scheduler/index.ts';
import { WorkerPool } from '../worker/index.ts';
import { linkThroughProxy } from './agent-links.ts';
import { workerLink } from './worker-link.ts';
import { BeadTable } from './beads.ts';
import { resolveOrchestratorOptions, type OrchestratorOptions, type ResolvedOrchestratorOptions } from './config.ts';
import type { OrchestratorState, RuntimeContext } from './context.ts';
import { DISPATCHER_PATH, dispatcherSpec, runnerSpec, type DispatcherMessage, type RunnerMessage } from './dispatcher.ts';
import { Journal, logActorBehaviour, type AppendMessage, type AppendReceipt } from './journal.ts';
import { createLogger, type Logger } from './log.ts';
import { createRuntimeMetrics } from './metrics.ts';
import { ReconcilerMemory, reconcilerSpec, RECONCILER_PATH } from './reconciler.ts';
import { recover } from './recovery.ts';
import { Retention } from './retention.ts';
import { Snapshotter } from './snapshot.ts';
import { createBeadService } from './service.ts';
import { shutdown } from './shutdown.ts';
import { ShutdownTimeoutError } from './errors.ts';

export type { OrchestratorOptions } from './config.ts';

/** A running orchestrator. */
export interface OrchestratorHandle {
  /** `http://host:port` of the REST API. */
  readonly url: string;
  readonly port: number;
  /** Bearer token of /admin/* (undefined unless `admin`). */
  readonly adminToken: string | undefined;
  readonly options: ResolvedOrchestratorOptions;
  readonly state: OrchestratorState;
  /** Resolves when the orchestrator stopped, by close(), destroy() or a fatal error (then `error` is set). */
  readonly stopped: Promise<{ error?: unknown }>;
  /** Graceful shutdown, bounded by shutdownTimeoutMs (past it: destroy). Idempotent. */
  close(): Promise<void>;
  /** Immediate: drops the API, the workers (SIGKILL) and the DB connection. Idempotent. */
  destroy(): void;
}

/** Extra hooks for embedding (tests, the CLI). */
export interface StartHooks {
  logger?: Logger;
  env?: NodeJS.ProcessEnv;
}

/** Starts the orchestrator; resolves once the API listens and recovered beads are dispatching. */
export async function startOrchestrator(options: OrchestratorOptions = {}, hooks: StartHooks = {}): Promise<OrchestratorHandle> {
  const opts = resolveOrchestratorOptions(options, hooks.env ?? process.env);
  const log = hooks.logger ?? createLogger(opts.logLevel);
  const startedAt = performance.now();
  if (opts.defects.length > 0) log.warn({ defects: opts.defects }, 'TEST-ONLY DEFECTS ENABLED: this orchestrator is deliberately broken');
  log.info({ step: 'start', dataDir: opts.dataDir, db: opts.dbUrl ?? 'embedded', workers: opts.workers }, 'orchestrator starting');
  await mkdir(opts.dataDir, { recursive: true });

  const store = await openEventStore({
    ...(opts.dbUrl === undefined ? { dataDir: join(opts.dataDir, 'db') } : { url: opts.dbUrl }),
    outboxPath: join(opts.dataDir, 'outbox.jsonl'),
    namespace: opts.namespace,
    database: opts.database,
    timeoutMs: opts.dbTimeoutMs,
    // Embedded only: a remote DB that does not answer is started "down" (outbox) after the
    // store's own short bound, instead of holding start-up for this long.
    ...(opts.dbUrl === undefined ? { connectTimeoutMs: opts.dbConnectTimeoutMs } : {}),
    ...(opts.dbUser === undefined ? {} : { auth: { username: opts.dbUser, password: opts.dbPass ?? '' } }),
    // Test-only `seq-gap` / `position-gap`: the store leaves one number out (system/events/heads.ts).
    ...(opts.defects.includes('seq-gap') ? { testGap: 'seq' as const } : opts.defects.includes('position-gap') ? { testGap: 'position' as const } : {}),
  });
  log.info({ step: 'db', connection: store.health().connection, outbox: store.health().outboxSize }, 'event store open');

  const memory = new ReconcilerMemory();
  // The metric sources read ctx when scraped, after it is built below.
  const metrics = createRuntimeMetrics({
    inFlight: () => ctx.attempts.size,
    queueDepth: () => ctx.queue.ready,
    outboxDepth: () => store.health().outboxSize,
    liveWorkers: () => ctx.pool?.stats.live ?? 0,
    beadsInMemory: () => ctx.table.size,
    submitKeysInMemory: () => ctx.table.submitKeys,
  });
  const table = new BeadTable();
  let dispatcher: ActorRef<DispatcherMessage> | undefined;
  const ctx: RuntimeContext = {
    options: opts,
    log,
    store,
    table,
    // Test-only `ignore-priority`: arrival order instead of priority order.
    queue: new ReadyQueue({ concurrency: opts.workers, ignorePriority: opts.defects.includes('ignore-priority') }),
    metrics,
    journal: new Journal({
      store,
      table,
      metrics,
      log,
      defects: opts.defects,
      askTimeoutMs: opts.dbTimeoutMs + 5000,
      onFinished: (stream) => ctx.retention.noteFinished(stream),
    }),
    retention: undefined as unknown as Retention, // set just below: it reads ctx

    sideEffectsDir: join(opts.dataDir, 'side-effects'),
    universe: undefined,
    pool: undefined,
    state: 'starting',
    attempts: new Map(),
    runners: Array.from({ length: opts.workers }, () => null),
    retryTimers: new Map(),
    releasedAt: new Map(),
    behind: new Set(),
    snapshotter: undefined,
    forgotten: new Set(),
    workflows: new Map(),
    reconcilerPaused: false,
    drain: new AbortController(),
    kick: () => dispatcher?.tell({ type: 'kick' }),
  };

  ctx.retention = new Retention(ctx);

  let api: ApiServerHandle | undefined;
  let retentionTimer: NodeJS.Timeout | undefined;
  let reconcileTimer: NodeJS.Timeout | undefined;
  let resolveStopped!: (value: { error?: unknown }) => void;
  const stopped = new Promise<{ error?: unknown }>((resolve) => (resolveStopped = resolve));
  let destroyed = false;
  const destroy = (error?: unknown): void => {
    if (destroyed) return;
    destroyed = true;
    ctx.state = 'stopped';
    clearInterval(reconcileTimer);
    clearInterval(retentionTimer);
    ctx.snapshotter?.stop();
    ctx.drain.abort();
    api?.destroy();
    ctx.universe?.destroy();
    void ctx.pool?.destroy();
    store.destroy();
    log.warn({ step: 'destroyed', error }, 'orchestrator destroyed');
    resolveStopped(error === undefined ? {} : { error });
  };

  try {
    const snapshotPath = join(opts.dataDir, 'projection-snapshot.json');
    const { report, projection } = await recover(ctx, snapshotPath);
    log.info(
      {
        step: 'recovery',
        beads: report.beads,
        events: report.events,
        snapshotPosition: report.snapshotPosition,
        resumed: report.resumed.length,
        lostAttempts: report.lostAttempts,
        ms: Math.round(performance.now() - startedAt),
      },
      'state rebuilt from the snapshot and the log after it',
    );
    ctx.snapshotter = new Snapshotter(snapshotPath, store, projection, log);
    ctx.snapshotter.start();

    const intensity = { maxRestarts: 100, periodMs: 10_000 };
    ctx.universe = await UniverseSupervisor.start({
      intensity,
      tiers: ['storage', 'scheduling', 'workers', 'api'].map((name) => supervisor(name, { intensity })),
      onEvent: (event) => {
        if (event.type === 'crashed' || event.type === 'escalated') {
          log.warn({ component: 'supervision', event: event.type, path: event.path, err: (event as { error?: unknown }).error }, 'actor crashed');
        }
      },
      onGiveUp: (error) => {
        log.fatal({ err: error }, 'supervision tree gave up');
        destroy(error);
      },
    });
    const universe = ctx.universe;
    ctx.journal.attach(await universe.startChild<AppendMessage, AppendReceipt>('universe/storage', actor('log', logActorBehaviour(store))));
    const runnerRefs: ActorRef<RunnerMessage>[] = [];
    for (let i = 0; i < opts.workers; i++) runnerRefs.push(await universe.startChild('universe/workers', runnerSpec(ctx, i)));
    dispatcher = await universe.startChild(
      'universe/scheduling',
      dispatcherSpec(ctx, () => runnerRefs),
    );
    const reconciler = await universe.startChild('universe/scheduling', reconcilerSpec(ctx, memory));
    const tree = { actors: universe.listActors().length, dispatcher: DISPATCHER_PATH, reconciler: RECONCILER_PATH };
    log.info({ step: 'supervision', ...tree }, 'supervision tree started');

    const pool = new WorkerPool({ size: opts.workers, sideEffectsDir: ctx.sideEffectsDir, heartbeatTimeoutMs: opts.heartbeatTimeoutMs });
    pool.on('spawned', ({ worker }) => {
      memory.watch(worker);
      if (opts.workerProxyUrl !== undefined) linkThroughProxy(worker, opts.workerProxyUrl, log);
      workerLink(worker).warm(); // after the proxy link: the link keeps the client it first gets
    });
    pool.on('died', ({ workerId, reason, exit, leased }) => {
      metrics.workerDeaths.inc({ reason });
      ctx.releasedAt.delete(workerId);
      log.warn({ component: 'pool', workerId, reason, exit, leased }, 'worker died');
    });
    pool.on('spawnFailed', ({ slot, error, retryInMs }) => log.warn({ component: 'pool', slot, err: error, retryInMs }, 'worker failed to start'));
    ctx.pool = pool;
    // Dispatch as soon as the first worker is up: recovered beads must not wait for the whole pool.
    const filling = pool.fill();
    ctx.state = 'running';
    ctx.kick();
    await filling;
    log.info({ step: 'pool', live: pool.stats.live, ms: Math.round(performance.now() - startedAt) }, 'worker pool warm; dispatching');

    reconcileTimer = setInterval(() => reconciler.tell({ type: 'tick' }), opts.reconcileTickMs);
    reconcileTimer.unref();
    log.info({ step: 'reconciler', tickMs: opts.reconcileTickMs }, 'reconciler started');
    // Time-based eviction; count-based eviction also runs whenever a bead finishes.
    retentionTimer = setInterval(() => ctx.retention.sweep(), Math.min(1000, Math.max(10, opts.retainFinishedMs)));
    retentionTimer.unref();

    api = await startApiServer({
      service: createBeadService(ctx, memory),
      host: opts.host,
      port: opts.port,
      ...(opts.adminToken !== undefined && opts.admin ? { admin: { token: opts.adminToken } } : {}),
      bodyLimitBytes: opts.bodyLimitBytes,
      logger: log.child({ component: 'api' }),
      registry: metrics.registry,
    });
    log.info({ step: 'ready', url: api.url, admin: opts.admin, ms: Math.round(performance.now() - startedAt) }, 'orchestrator ready');
  } catch (err) {
    log.error({ err }, 'start-up failed');
    destroy(err);
    throw err;
  }

  const apiHandle = api;
  let closing: Promise<void> | undefined;
  return {
    url: apiHandle.url,
    port: apiHandle.port,
    adminToken: opts.admin ? opts.adminToken : undefined,
    options: opts,
    get state() {
      return ctx.state;
    },
    stopped,
    close() {
      closing ??= (async () => {
        if (destroyed) return;
        clearInterval(reconcileTimer);
        clearInterval(retentionTimer);
        ctx.snapshotter?.stop();
        const ok = await shutdown(ctx, apiHandle, opts.shutdownTimeoutMs);
        if (!ok) destroy(new ShutdownTimeoutError(opts.shutdownTimeoutMs));
        destroyed = true;
        resolveStopped({});
      })();
      return closing;
    },
    destroy: () => destroy(),
  };
}
