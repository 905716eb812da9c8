/**
 * `oya start`: runs the orchestrator (event store, supervision tree, warm pool, reconciler, REST
 * API) until SIGINT/SIGTERM, then shuts down gracefully and exits 0.
 */
import type { CliCommand } from '../command.ts';
import { CliUsageError } from '../errors.ts';
import { integerFlag, parseFlags } from '../flags.ts';
import { hasCode } from '../../../system/errors.ts';
import type { OrchestratorOptions } from '../../../system/runtime/config.ts';

const HELP = `Usage: oya start [flags]

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

Examples:
  oya start
  oya start --port 0 --data-dir /tmp/oya --workers 4
  oya start --db ws://127.0.0.1:8000 --admin`;

/** Parses argv (strict) into orchestrator options; throws CliUsageError on unknown flags or bad values. */
export function parseStartArgs(argv: string[]): OrchestratorOptions {
  const { values } = parseFlags('start', argv, {
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
  });
  const int = (flag: keyof typeof values): number | undefined => integerFlag(flag, values[flag]);
  const str = (flag: keyof typeof values): string | undefined => (typeof values[flag] === 'string' ? (values[flag] as string) : undefined);
  const options: OrchestratorOptions = {
    host: str('host'),
    port: int('port'),
    workers: int('workers'),
    dataDir: str('data-dir'),
    db: str('db'),
    dbUser: str('db-user'),
    dbPass: str('db-pass'),
    admin: values.admin === true ? true : undefined,
    adminToken: str('admin-token'),
    reconcileTickMs: int('reconcile-tick'),
    logLevel: str('log-level') as OrchestratorOptions['logLevel'],
    seed: int('seed'),
  };
  return options;
}

export const command: CliCommand = {
  name: 'start',
  summary: 'Run the orchestrator (event log, supervision tree, worker pool, reconciler, REST API)',
  help: HELP,
  async run(argv) {
    const options = parseStartArgs(argv);
    // Loaded lazily: `oya --help` must not pay for the SurrealDB engine.
    const { startOrchestrator } = await import('../../../system/runtime/orchestrator.ts');
    const { resolveOrchestratorOptions } = await import('../../../system/runtime/config.ts');
    try {
      // An admin token without --admin is read from the environment: it turns admin on.
      resolveOrchestratorOptions(options);
    } catch (err) {
      if (hasCode(err, 'ORCH_CONFIG_INVALID')) throw new CliUsageError((err as Error).message, { issues: (err as { details?: unknown }).details });
      throw err;
    }
    const handle = await startOrchestrator(options);
    process.stdout.write(`oya listening on ${handle.url}\n`);
    if (handle.adminToken !== undefined) process.stdout.write(`admin token ${handle.adminToken}\n`);
    let onSignal: (signal: NodeJS.Signals) => void = () => undefined;
    const signal = await Promise.race([
      new Promise<NodeJS.Signals>((resolve) => {
        onSignal = resolve;
        process.on('SIGINT', onSignal);
        process.on('SIGTERM', onSignal);
      }),
      handle.stopped.then(() => undefined),
    ]);
    if (signal === undefined) {
      // Stopped on its own: the supervision tree gave up. Exit non-zero so a supervisor restarts us.
      return 1;
    }
    // A second signal while draining means "now".
    process.once('SIGINT', () => handle.destroy());
    process.once('SIGTERM', () => handle.destroy());
    await handle.close();
    const { error } = await handle.stopped;
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    process.stdout.write(`oya stopped (${signal})\n`);
    const code = error === undefined ? 0 : 1;
    // Everything of ours is closed; a loader's helper process (tsx's esbuild service) may still
    // hold the event loop open, so exit explicitly once stdout had its chance to drain.
    setTimeout(() => process.exit(code), 100).unref();
    return code;
  },
};
