/**
 * The orchestrator's own entry point: system/ runs, ships and is tested without harness/.
 *
 *   node --import tsx system/main.ts [flags]     (what `npm start` runs)
 *   oya start [flags]                            (the harness CLI delegates here)
 *
 * Runs the orchestrator (event store, supervision tree, warm pool, reconciler, REST API) until
 * SIGINT/SIGTERM, then shuts down gracefully. Exit codes: 0 stopped cleanly, 1 the supervision
 * tree gave up or shutdown failed, 2 bad flags or configuration.
 */
import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { OyaError, hasCode } from './errors.ts';
import type { OrchestratorOptions } from './runtime/config.ts';

export const START_HELP = `Usage: oya start [flags]        (or: npm start -- [flags])

Runs the Oya orchestrator: the event log (embedded SurrealDB in <data-dir>/db unless --db),
the supervision tree, a pool of warm workers, the reconciliation loop and the REST API.
Prints "oya listening on <url>" on stdout when ready (and "admin token <token>" with --admin).
SIGINT/SIGTERM: refuse new work, stop and checkpoint in-flight beads, flush the log, stop the
workers, exit 0 (bounded by 30 s). The next start resumes every in-flight bead.

Flags override OYA_* environment variables, which override the defaults.
  --host HOST            API bind address                       (OYA_HOST, default 127.0.0.1)
  --port N               API port, 0 = any free port            (OYA_PORT, default 8080)
  --workers N            warm worker processes                  (OYA_WORKERS, default 20)
  --data-dir DIR         database, outbox, side-effect records  (OYA_DATA_DIR, default ./data)
  --db ws://HOST:PORT    a remote SurrealDB instead of the embedded one (OYA_DB)
  --db-user NAME         sign in to the remote SurrealDB as this root user (OYA_DB_USER)
  --db-pass PASS         its password (OYA_DB_PASS; prefer the variable: flags show in ps)
  --admin                serve the /admin/* chaos hooks (bearer token required)
  --admin-token TOKEN    the token (OYA_ADMIN_TOKEN; generated when --admin and none given)
  --reconcile-tick MS    reconciliation period in ms            (OYA_RECONCILE_TICK_MS, default 1000)
  --log-level LEVEL      fatal|error|warn|info|debug|trace|silent (OYA_LOG_LEVEL, default info)
  --seed N               seed of the simulated agent and random choices (OYA_SEED, default 1)
  -h, --help             this text

Logs are JSON lines on stderr. Test-only defects are set with OYA_DEFECTS only (never a flag).
OYA_PARENT_PID=PID (set by a process that spawns and owns us, e.g. the harness): when that
process is gone (we are re-parented), shut down gracefully as on SIGTERM.
Exit codes: 0 stopped cleanly, 1 gave up or failed to shut down, 2 bad flags or configuration.

Examples:
  oya start
  oya start --port 0 --data-dir /tmp/oya --workers 4
  oya start --db ws://127.0.0.1:8000 --admin`;

/** A flag the orchestrator does not know, a missing value, or a value of the wrong shape. */
export class StartUsageError extends OyaError {
  constructor(message: string, details: Record<string, unknown> = {}) {
    super('ORCH_USAGE', message, { details });
  }
}

/** The flags of `oya start` / `npm start` (exported so the CLI can name a mistyped one in its own words). */
export const START_FLAGS = {
  host: { type: 'string' },
  port: { type: 'string' },
  workers: { type: 'string' },
  'data-dir': { type: 'string' },
  db: { type: 'string' },
  'db-user': { type: 'string' },
  'db-pass': { type: 'string' },
  admin: { type: 'boolean' },
  'admin-token': { type: 'string' },
  'reconcile-tick': { type: 'string' },
  'log-level': { type: 'string' },
  seed: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

/**
 * Parses argv strictly into orchestrator options ('help' for -h/--help). Throws StartUsageError
 * naming the bad flag; the options themselves are validated once, by resolveOrchestratorOptions.
 */
export function parseStartArgs(argv: string[]): OrchestratorOptions | 'help' {
  let values: ReturnType<typeof parseArgs<{ options: typeof START_FLAGS; strict: true }>>['values'];
  try {
    ({ values } = parseArgs({ args: argv, options: START_FLAGS, strict: true }));
  } catch (err) {
    throw new StartUsageError((err as Error).message, { argv });
  }
  if (values.help === true) return 'help';
  const int = (flag: 'port' | 'workers' | 'reconcile-tick' | 'seed'): number | undefined => {
    const raw = values[flag];
    if (raw === undefined) return undefined;
    const value = /^-?\d+$/.test(raw) ? Number(raw) : Number.NaN;
    if (!Number.isSafeInteger(value)) throw new StartUsageError(`--${flag} must be an integer, got "${raw}"`, { flag, value: raw });
    return value;
  };
  return {
    host: values.host,
    port: int('port'),
    workers: int('workers'),
    dataDir: values['data-dir'],
    db: values.db,
    dbUser: values['db-user'],
    dbPass: values['db-pass'],
    admin: values.admin === true ? true : undefined,
    adminToken: values['admin-token'],
    reconcileTickMs: int('reconcile-tick'),
    logLevel: values['log-level'] as OrchestratorOptions['logLevel'],
    seed: int('seed'),
  };
}

/** Where the process entry writes; injectable so tests and the CLI can capture it. */
export interface StartIo {
  stdout: { write(text: string): unknown };
  signals?: NodeJS.EventEmitter;
  /** The owner's pid (default: OYA_PARENT_PID); when our parent is no longer it, we stop as on SIGTERM. */
  parentPid?: number;
}

/** How often the owner watch looks at process.ppid (the worker pool's watch uses the same period). */
const PARENT_WATCH_MS = 250;

/**
 * An orchestrator spawned by an owner (the harness runs it detached, in its own process group)
 * must not outlive it even when the owner is SIGKILLed and no cleanup hook runs: once the owner
 * is gone the kernel re-parents us, and we shut down the graceful way (checkpoints, flush).
 * Returns the stop function; a no-op without an owner.
 */
function watchOwner(parentPid: number | undefined, signals: NodeJS.EventEmitter): () => void {
  if (parentPid === undefined || !Number.isInteger(parentPid) || parentPid <= 0) return () => undefined;
  const timer = setInterval(() => {
    if (process.ppid === parentPid) return;
    clearInterval(timer);
    signals.emit('SIGTERM', 'SIGTERM');
  }, PARENT_WATCH_MS);
  timer.unref();
  return () => clearInterval(timer);
}

const ownerFromEnv = (): number | undefined => {
  const raw = process.env.OYA_PARENT_PID;
  return raw === undefined || raw.trim() === '' ? undefined : Number(raw);
};

/**
 * Runs the orchestrator until a signal, then shuts down; resolves to the exit code. Bad flags or
 * options throw StartUsageError / ConfigInvalidError (ORCH_CONFIG_INVALID) before anything starts.
 */
export async function runOrchestratorProcess(argv: string[], io: StartIo = { stdout: process.stdout }): Promise<number> {
  const options = parseStartArgs(argv);
  if (options === 'help') {
    io.stdout.write(`${START_HELP}\n`);
    return 0;
  }
  // Loaded lazily: help and bad flags must not pay for the SurrealDB engine.
  const { resolveOrchestratorOptions } = await import('./runtime/config.ts');
  const { startOrchestrator } = await import('./runtime/orchestrator.ts');
  resolveOrchestratorOptions(options); // throws ORCH_CONFIG_INVALID naming each field
  const signals = io.signals ?? process;
  const handle = await startOrchestrator(options);
  io.stdout.write(`oya listening on ${handle.url}\n`);
  if (handle.adminToken !== undefined) io.stdout.write(`admin token ${handle.adminToken}\n`);
  let onSignal: (signal: NodeJS.Signals) => void = () => undefined;
  const stopWatch = watchOwner(io.parentPid ?? ownerFromEnv(), signals);
  const signal = await Promise.race([
    new Promise<NodeJS.Signals>((resolve) => {
      onSignal = resolve;
      signals.on('SIGINT', onSignal);
      signals.on('SIGTERM', onSignal);
    }),
    handle.stopped.then(() => undefined),
  ]);
  stopWatch();
  // A second signal while draining means "now" (registered before the first handler goes, so no
  // signal ever finds the default handler, which would kill the process mid-shutdown).
  const now = (): void => {
    handle.destroy();
  };
  signals.once('SIGINT', now);
  signals.once('SIGTERM', now);
  signals.off('SIGINT', onSignal);
  signals.off('SIGTERM', onSignal);
  if (signal === undefined) {
    // Stopped on its own: the supervision tree gave up. Non-zero so a supervisor restarts us.
    signals.off('SIGINT', now);
    signals.off('SIGTERM', now);
    return 1;
  }
  await handle.close();
  const { error } = await handle.stopped;
  signals.off('SIGINT', now);
  signals.off('SIGTERM', now);
  io.stdout.write(`oya stopped (${signal})\n`);
  return error === undefined ? 0 : 1;
}

/** True when this module is the process's entry (`node --import tsx system/main.ts`). */
function isEntry(): boolean {
  const entry = process.argv[1];
  if (entry === undefined) return false;
  try {
    return realpathSync(entry) === realpathSync(fileURLToPath(import.meta.url));
  } catch {
    return false;
  }
}

if (isEntry()) {
  let code: number;
  try {
    code = await runOrchestratorProcess(process.argv.slice(2));
  } catch (err) {
    const usage = hasCode(err, 'ORCH_USAGE') || hasCode(err, 'ORCH_CONFIG_INVALID');
    process.stderr.write(`oya start: ${usage ? `${(err as Error).message}\nSee \`oya start --help\`.` : ((err as Error).stack ?? String(err))}\n`);
    code = usage ? 2 : 1;
  }
  // Everything of ours is closed; a loader's helper process (tsx's esbuild service) may still
  // hold the event loop open, so exit explicitly.
  process.exit(code);
}
