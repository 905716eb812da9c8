/**
 * Runs a SurrealDB server as a separate process, so the harness can SIGKILL it like a real
 * database: the `surreal` binary when one is on PATH, else the embedded server
 * (harness/env/surreal/main.ts under tsx).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { delimiter, join, resolve as resolvePath } from 'node:path';
import { fileURLToPath } from 'node:url';
import { EXIT_DATASTORE_POISONED } from './engine-host.ts';
import { SurrealSpawnError } from './errors.ts';
import { embeddedUrlFor } from '../../../system/events/index.ts';

/** Options of spawnSurrealServer. */
export interface SpawnSurrealOptions {
  /** @default '127.0.0.1' */
  host?: string;
  /** 0 lets the child pick a free port (reported back on stdout). @default 0 */
  port?: number;
  /** `'memory'` or a data directory. @default 'memory' */
  path?: string;
  user?: string;
  pass?: string;
  /** `'auto'` prefers a `surreal` binary on PATH. @default 'auto' */
  implementation?: 'auto' | 'embedded' | 'binary';
  /** How long to wait for the "listening" line (ms). @default 30000 */
  startTimeoutMs?: number;
  /** Grace between SIGTERM and SIGKILL in close() (ms); SurrealDB flushes within it. @default 5000 */
  killGraceMs?: number;
  /** Receives the child's stdout/stderr lines (default: discarded). */
  onOutput?: (line: string) => void;
}

/** A running server process. */
export interface SpawnedSurrealServer {
  readonly url: string;
  readonly host: string;
  readonly port: number;
  readonly pid: number;
  readonly implementation: 'embedded' | 'binary';
  /**
   * How many times this handle started a fresh process because the engine could not go on in the
   * old one (README.md "Disk full"): on RocksDB, every disk-full ends in one restart once space
   * is back. Clients of the old process saw their connection drop and must connect again.
   */
  readonly restarts: number;
  /** Resolves with the exit code or signal once the process is gone. */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Sends a signal (e.g. 'SIGKILL' for a crash). */
  kill(signal: NodeJS.Signals): void;
  /** SIGTERM, then SIGKILL after killGraceMs; resolves when the process exited. Idempotent. */
  close(): Promise<void>;
  /** SIGKILL and wait for exit. Idempotent. */
  destroy(): Promise<void>;
}

/** The `surreal` binary on PATH, if any. */
export function findSurrealBinary(): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    const candidate = join(dir, 'surreal');
    if (dir && existsSync(candidate)) return candidate;
  }
  return undefined;
}

function commandLine(opts: SpawnSurrealOptions, implementation: 'embedded' | 'binary', host: string, port: number): [string, string[]] {
  const path = opts.path ?? 'memory';
  const creds = opts.user !== undefined && opts.pass !== undefined ? ['--user', opts.user, '--pass', opts.pass] : [];
  if (implementation === 'binary') {
    const store = path === 'memory' ? 'memory' : embeddedUrlFor(resolvePath(path));
    const auth = creds.length > 0 ? creds : ['--unauthenticated'];
    return [findSurrealBinary()!, ['start', '--bind', `${host}:${port}`, '--log', 'info', ...auth, store]];
  }
  // `node --import tsx`, not the tsx CLI: the CLI runs the script in a second child process, and
  // a SIGKILL aimed at the CLI would leave that grandchild holding the datastore LOCK.
  const tsxLoader = import.meta.resolve('tsx');
  const main = fileURLToPath(new URL('./main.ts', import.meta.url));
  return [process.execPath, ['--import', tsxLoader, main, '--bind', `${host}:${port}`, '--path', path, ...creds]];
}

/**
 * Starts the server process and resolves once it listens. With the embedded server and port 0,
 * the real port is read from its "listening" line; the binary needs a fixed port, so port 0 is
 * resolved to a free port first (a small race, acceptable for tests).
 */
export async function spawnSurrealServer(opts: SpawnSurrealOptions = {}): Promise<SpawnedSurrealServer> {
  const host = opts.host ?? '127.0.0.1';
  const wanted = opts.implementation ?? 'auto';
  const implementation = wanted === 'auto' ? (findSurrealBinary() ? 'binary' : 'embedded') : wanted;
  if (implementation === 'binary' && !findSurrealBinary()) throw new SurrealSpawnError('no surreal binary on PATH');
  let port = opts.port ?? 0;
  if (implementation === 'binary' && port === 0) port = await freePort(host);
  const first = await startChild(opts, implementation, host, port);
  return handle(first, (samePort) => startChild(opts, implementation, host, samePort), host, implementation, opts.killGraceMs ?? 5000);
}

type Exit = { code: number | null; signal: NodeJS.Signals | null };
interface StartedChild {
  child: ChildProcess;
  exited: Promise<Exit>;
  port: number;
}

/** One server process, resolved once it listens (killed again if it does not). */
async function startChild(opts: SpawnSurrealOptions, implementation: 'embedded' | 'binary', host: string, port: number): Promise<StartedChild> {
  const [file, args] = commandLine(opts, implementation, host, port);
  const child = spawn(file, args, {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, OYA_PARENT_PID: String(process.pid) },
  });
  const exited = new Promise<Exit>((resolve) => {
    child.once('exit', (code, signal) => resolve({ code, signal }));
  });
  const output: string[] = [];
  try {
    const listeningPort = await waitForListening(child, implementation, port, opts, output, exited);
    return { child, exited, port: listeningPort };
  } catch (err) {
    child.kill('SIGKILL');
    await exited;
    throw err;
  }
}

/**
 * True when an embedded server ended on its own because its engine cannot go on in that process:
 * a datastore poisoned by a disk-full (EXIT_DATASTORE_POISONED, see engine-host.ts), or the
 * native binding's abort on the same condition (SIGABRT, README "Disk full" point 2).
 */
function needsRestart(exit: Exit): boolean {
  return exit.code === EXIT_DATASTORE_POISONED || exit.signal === 'SIGABRT';
}

function waitForListening(
  child: ChildProcess,
  implementation: 'embedded' | 'binary',
  port: number,
  opts: SpawnSurrealOptions,
  output: string[],
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>,
): Promise<number> {
  return new Promise((resolve, reject) => {
    const timeoutMs = opts.startTimeoutMs ?? 30_000;
    const timer = setTimeout(() => reject(new SurrealSpawnError(`server did not listen within ${timeoutMs} ms`, { output: output.slice(-20) })), timeoutMs);
    const onLine = (line: string): void => {
      output.push(line);
      opts.onOutput?.(line);
      const embedded = /listening on ws:\/\/.*:(\d+)\/rpc/.exec(line);
      if (implementation === 'embedded' && embedded) finish(Number(embedded[1]));
      if (implementation === 'binary' && /Started web server on/i.test(line)) finish(port);
    };
    const finish = (p: number): void => {
      clearTimeout(timer);
      resolve(p);
    };
    for (const stream of [child.stdout!, child.stderr!]) {
      let buffered = '';
      stream.setEncoding('utf8');
      stream.on('data', (chunk: string) => {
        buffered += chunk;
        const lines = buffered.split('\n');
        buffered = lines.pop()!;
        for (const line of lines) onLine(line);
      });
    }
    void exited.then(({ code, signal }) => {
      clearTimeout(timer);
      reject(new SurrealSpawnError(`server exited before listening (code ${code}, signal ${signal})`, { output: output.slice(-20) }));
    });
  });
}

/**
 * The handle of a server process. An embedded server that ends on its own because its datastore
 * is poisoned is started again on the same path and port (clients see a dropped connection, as
 * with a DB restart, and reconnect); `exited` resolves only when the server is gone for good.
 * Any signal the owner sends (kill, close, destroy) ends that: no restart after it.
 */
function handle(
  first: StartedChild,
  restart: (port: number) => Promise<StartedChild>,
  host: string,
  implementation: 'embedded' | 'binary',
  killGraceMs: number,
): SpawnedSurrealServer {
  const port = first.port;
  let current = first;
  let gone = false;
  let ownerSignalled = false;
  let restarts = 0;
  let resolveExited!: (exit: Exit) => void;
  const exited = new Promise<Exit>((resolve) => (resolveExited = resolve));
  const follow = (started: StartedChild): void => {
    void started.exited.then(async (exit) => {
      if (!ownerSignalled && implementation === 'embedded' && needsRestart(exit)) {
        try {
          current = await restart(port);
          restarts += 1;
          // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- the owner's signal handler may set it while restart() awaits
          if (ownerSignalled) current.child.kill('SIGKILL'); // stopped while restarting
          follow(current);
          return;
        } catch {
          // could not start again: the server is gone
        }
      }
      gone = true;
      resolveExited(exit);
    });
  };
  follow(first);
  const kill = (signal: NodeJS.Signals): void => {
    ownerSignalled = true;
    if (!gone) current.child.kill(signal);
  };
  let closing: Promise<void> | undefined;
  return {
    url: `ws://${host.includes(':') ? `[${host}]` : host}:${port}/rpc`,
    host,
    port,
    get pid() {
      return current.child.pid!;
    },
    implementation,
    get restarts() {
      return restarts;
    },
    exited,
    kill,
    close() {
      closing ??= (async () => {
        kill('SIGTERM');
        const timer = setTimeout(() => kill('SIGKILL'), killGraceMs);
        await exited;
        clearTimeout(timer);
      })();
      return closing;
    },
    async destroy() {
      kill('SIGKILL');
      await exited;
    },
  };
}

async function freePort(host: string): Promise<number> {
  const { createServer } = await import('node:net');
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, host, () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}
