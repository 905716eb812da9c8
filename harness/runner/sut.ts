/**
 * The process boundary of the system under test: the orchestrator as a real child process
 * (`node harness/cli/oya.mjs start …`), started, stopped (SIGTERM, bounded), killed (SIGKILL)
 * and restarted on the same data dir and the same port, with its stdout/stderr appended to a log
 * file in the run dir.
 *
 * Each start runs in its own process group (detached), so the orchestrator's worker processes
 * share its group. `kill()` SIGKILLs the orchestrator alone — like a real crash, its workers
 * are orphaned and the system must cope — while `destroy()`/`close()` SIGKILL every group this
 * handle ever started, so teardown leaves no orphan behind. A process-exit hook does the same if
 * the harness itself dies first.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { SutStartError, SutStateError } from './errors.ts';

const OYA_BIN = fileURLToPath(new URL('../cli/oya.mjs', import.meta.url));

/** How long the orchestrator may take to print its URL. 2 cores, tsx, N workers: be generous. @default 90000 */
export const SUT_START_TIMEOUT_MS = 90_000;

/**
 * SIGTERM → SIGKILL grace when the caller gives none: the orchestrator's shutdown bound (30 s,
 * `shutdownTimeoutMs` in system/runtime/config.ts) plus 5 s for the process to exit after it. @default 35000
 */
export const SUT_STOP_GRACE_MS = 35_000;

/** Options of {@link startSut}. */
export interface SutOptions {
  dataDir: string;
  /** The DB URL the orchestrator uses (through the DB proxy). Unset: embedded DB in dataDir. */
  dbUrl?: string;
  /** Credentials of that DB, passed as OYA_DB_USER / OYA_DB_PASS. */
  dbCredentials?: { username: string; password: string };
  workers: number;
  seed: number;
  /** Serve /admin/* with this bearer token. */
  adminToken?: string;
  reconcileTickMs?: number;
  /** A worker silent this long is declared dead (OYA_HEARTBEAT_TIMEOUT_MS). Unset: the orchestrator's default. */
  heartbeatTimeoutMs?: number;
  /** Test-only defects (OYA_DEFECTS). */
  defects?: readonly string[];
  /** Appended with the orchestrator's stdout and stderr, one header line per start. */
  logFile: string;
  /** SIGTERM → exit budget before SIGKILL (ms). @default SUT_STOP_GRACE_MS */
  stopTimeoutMs?: number;
  /** @default SUT_START_TIMEOUT_MS */
  startTimeoutMs?: number;
  /** Extra environment for the child. */
  env?: Record<string, string>;
  /**
   * Start the orchestrator with `--inspect=127.0.0.1:0` so the leak watch can read its V8 heap and
   * take heap snapshots (harness/leak). Port 0: no clash with parallel runs. @default false
   */
  inspect?: boolean;
}

/**
 * Lifecycle of the handle, one line each:
 * - running:  a child is up and printed its URL.
 * - down:     the child exited (stopped, killed, or crashed); restart() may bring it back.
 * - closed:   close()/destroy() ran; nothing may start again.
 */
export type SutState = 'running' | 'down' | 'closed';

/** How one orchestrator process ended. */
export interface SutExit {
  pid: number;
  code: number | null;
  signal: NodeJS.Signals | null;
  /** ms from SIGTERM to exit, for stop(). */
  stopMs?: number;
}

/** A running orchestrator. */
export interface SutHandle {
  readonly url: string;
  readonly port: number;
  readonly pid: number | undefined;
  readonly adminToken: string | undefined;
  readonly state: SutState;
  /** Every process that ended, in order. */
  readonly exits: readonly SutExit[];
  /** Every pid this handle started (orchestrators), for leak checks. */
  readonly pids: readonly number[];
  /** SIGTERM, wait up to stopTimeoutMs, then SIGKILL the group. Resolves with how it ended. */
  stop(): Promise<SutExit | undefined>;
  /** SIGKILL the orchestrator process alone (its workers are orphaned, as in a real crash). */
  kill(): Promise<SutExit | undefined>;
  /** Starts the orchestrator again on the same data dir and port. */
  restart(): Promise<void>;
  /** Graceful stop, then SIGKILL of every process group ever started. Idempotent. */
  close(): Promise<void>;
  /** SIGKILL every process group now. Idempotent. */
  destroy(): void;
  /** Resolves once the log file is flushed and closed (after close()/destroy()). */
  readonly logClosed: Promise<void>;
}

/** Starts the orchestrator and resolves once it printed its URL. */
export async function startSut(options: SutOptions): Promise<SutHandle> {
  const logStream = createWriteStream(options.logFile, { flags: 'a' });
  // A SIGKILLed child's pipes may still deliver output after destroy() ended the file: drop it.
  const log = (chunk: string | Buffer): void => {
    if (!logStream.writableEnded) logStream.write(chunk);
  };
  const logClosed = new Promise<void>((resolve) => {
    logStream.once('close', resolve);
    logStream.once('error', () => resolve());
  });
  const groups = new Set<number>();
  const exits: SutExit[] = [];
  const pids: number[] = [];
  let child: ChildProcess | undefined;
  let exited: Promise<SutExit> | undefined;
  let url = '';
  let port = 0;
  let state: SutState = 'down';

  const killGroups = (): void => {
    for (const pgid of groups) {
      try {
        process.kill(-pgid, 'SIGKILL');
      } catch {
        // ESRCH: the group is already gone.
      }
    }
  };
  process.on('exit', killGroups);

  const launch = async (): Promise<void> => {
    const started = await spawnOrchestrator(options, port, log);
    child = started.child;
    exited = started.exited;
    groups.add(started.child.pid!);
    pids.push(started.child.pid!);
    void exited.then((exit) => {
      exits.push(exit);
      if (child === started.child && state === 'running') state = 'down';
    });
    url = started.url;
    port = Number(new URL(url).port);
    state = 'running';
  };

  const waitExit = async (signal: NodeJS.Signals, boundMs: number): Promise<SutExit | undefined> => {
    if (state !== 'running' || child === undefined || exited === undefined) return undefined;
    const t0 = performance.now();
    const current = child;
    current.kill(signal);
    let timer: NodeJS.Timeout | undefined;
    const bound = new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), boundMs)));
    const result = await Promise.race([exited, bound]);
    clearTimeout(timer);
    if (result === 'timeout') {
      try {
        process.kill(-current.pid!, 'SIGKILL');
      } catch {
        // already gone
      }
    }
    const exit = await exited;
    state = 'down';
    return { ...exit, stopMs: Math.round(performance.now() - t0) };
  };

  const handle: SutHandle = {
    get url() {
      return url;
    },
    get port() {
      return port;
    },
    get pid() {
      return state === 'running' ? child?.pid : undefined;
    },
    adminToken: options.adminToken,
    get state() {
      return state;
    },
    exits,
    pids,
    logClosed,
    stop: () => waitExit('SIGTERM', options.stopTimeoutMs ?? SUT_STOP_GRACE_MS),
    kill: () => waitExit('SIGKILL', 5_000),
    async restart() {
      if (state === 'closed') throw new SutStateError('restart after close');
      if (state === 'running') throw new SutStateError('restart while running: stop() or kill() first');
      await launch();
    },
    async close() {
      if (state === 'closed') return;
      try {
        await waitExit('SIGTERM', options.stopTimeoutMs ?? SUT_STOP_GRACE_MS);
      } finally {
        handle.destroy();
      }
      await logClosed;
    },
    destroy() {
      killGroups();
      state = 'closed';
      process.off('exit', killGroups);
      logStream.end();
    },
  };
  try {
    await launch();
  } catch (err) {
    handle.destroy();
    // The caller is pointed at the log file: it must hold every line (the exit line included) when we reject.
    await logClosed;
    throw err;
  }
  return handle;
}

async function spawnOrchestrator(
  options: SutOptions,
  port: number,
  log: (chunk: string | Buffer) => void,
): Promise<{ child: ChildProcess; url: string; exited: Promise<SutExit> }> {
  const args = [
    ...(options.inspect ? ['--inspect=127.0.0.1:0'] : []),
    OYA_BIN,
    'start',
    '--host',
    '127.0.0.1',
    '--port',
    String(port),
    '--data-dir',
    options.dataDir,
    '--workers',
    String(options.workers),
    '--seed',
    String(options.seed),
  ];
  if (options.dbUrl !== undefined) args.push('--db', options.dbUrl);
  if (options.adminToken !== undefined) args.push('--admin', '--admin-token', options.adminToken);
  // OYA_PARENT_PID: the orchestrator runs detached (its own process group, so kill() reaches its
  // workers), which also means nothing stops it when this process is SIGKILLed; it watches us instead.
  const env: NodeJS.ProcessEnv = { ...process.env, ...options.env, OYA_DEFECTS: (options.defects ?? []).join(','), OYA_PARENT_PID: String(process.pid) };
  if (options.dbCredentials) Object.assign(env, { OYA_DB_USER: options.dbCredentials.username, OYA_DB_PASS: options.dbCredentials.password });
  if (options.reconcileTickMs !== undefined) env.OYA_RECONCILE_TICK_MS = String(options.reconcileTickMs);
  if (options.heartbeatTimeoutMs !== undefined) env.OYA_HEARTBEAT_TIMEOUT_MS = String(options.heartbeatTimeoutMs);
  // The test runner's own settings must not leak into the system under test.
  delete env.NODE_OPTIONS;
  delete env.VITEST;
  const child = spawn(process.execPath, args, { detached: true, stdio: ['ignore', 'pipe', 'pipe'], env });
  log(`--- oya start (pid ${child.pid}) at ${new Date().toISOString()}: ${args.slice(args.indexOf(OYA_BIN) + 1).join(' ')}\n`);
  const exited = new Promise<SutExit>((resolve) => {
    child.once('exit', (code, signal) => {
      log(`--- pid ${child.pid} exited code=${code} signal=${signal} at ${new Date().toISOString()}\n`);
      resolve({ pid: child.pid!, code, signal });
    });
  });
  let stderrTail = '';
  child.stderr.on('data', (chunk: Buffer) => {
    log(chunk);
    stderrTail = (stderrTail + chunk.toString('utf8')).slice(-4096);
  });
  let stdoutSoFar = '';
  let settled = false;
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(
      () => fail(`no URL on stdout within ${options.startTimeoutMs ?? SUT_START_TIMEOUT_MS} ms`),
      options.startTimeoutMs ?? SUT_START_TIMEOUT_MS,
    );
    const onData = (chunk: Buffer): void => {
      log(chunk);
      stdoutSoFar += chunk.toString('utf8');
      const match = /(https?:\/\/[^\s"']+)/.exec(stdoutSoFar);
      if (match && !settled) {
        settled = true;
        clearTimeout(timer);
        child.stdout.off('data', onData);
        child.stdout.on('data', (c: Buffer) => log(c));
        resolve(match[1]!.replace(/\/+$/, ''));
      }
    };
    const fail = (why: string): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        // gone
      }
      // The last line the orchestrator wrote usually names the cause (e.g. ORCH_DB_UNAVAILABLE).
      const lastLine = stderrTail
        .split('\n')
        .map((l) => l.trim())
        .filter((l) => l !== '' && !l.startsWith('at '))
        .pop();
      reject(
        new SutStartError(`the orchestrator did not start: ${why}${lastLine ? `; last log line: ${lastLine.slice(0, 300)}` : ''} (log: ${options.logFile})`, {
          pid: child.pid,
          logFile: options.logFile,
        }),
      );
    };
    child.stdout.on('data', onData);
    child.once('error', (err) => fail(err.message));
    void exited.then((exit) => fail(`it exited first (code ${exit.code}, signal ${exit.signal})`));
  });
  return { child, url, exited };
}
