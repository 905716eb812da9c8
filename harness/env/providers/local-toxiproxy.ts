/**
 * The `local` environment's fault proxy: `toxiproxy-server` from PATH as a child process when
 * present, else the embedded Toxiproxy-compatible server IN this process. In-process because it
 * then cannot outlive the harness (no orphan holding ports after a crash) and needs no start-up
 * poll; its data plane is plain async socket I/O, cheap next to the harness's own work. The cost:
 * a harness event loop blocked for X ms delays proxied bytes by X ms — keep checkers async.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { delimiter, join } from 'node:path';
import { startToxiproxyServer } from '../toxiproxy/index.ts';
import { EnvStartError } from './errors.ts';

/** A running local Toxiproxy (either kind). */
export interface LocalToxiproxy {
  readonly url: string;
  readonly implementation: 'binary' | 'embedded';
  /** PID of the toxiproxy-server child (binary only). */
  readonly pid?: number;
  close(): Promise<void>;
  /** Synchronous last resort for process exit. */
  destroySync(): void;
}

/** `toxiproxy-server` on PATH, if any. */
export function findToxiproxyBinary(env: NodeJS.ProcessEnv = process.env): string | undefined {
  for (const dir of (env.PATH ?? '').split(delimiter)) {
    const candidate = join(dir, 'toxiproxy-server');
    if (dir && existsSync(candidate)) return candidate;
  }
  return undefined;
}

/** Starts the binary when on PATH, else the embedded server (seeded). */
export async function startLocalToxiproxy(seed: number): Promise<LocalToxiproxy> {
  const binary = findToxiproxyBinary();
  if (binary === undefined) {
    const server = await startToxiproxyServer({ seed });
    return { url: server.url, implementation: 'embedded', close: () => server.close(), destroySync: () => server.destroy() };
  }
  return spawnToxiproxyBinary(binary, seed);
}

async function spawnToxiproxyBinary(binary: string, seed: number): Promise<LocalToxiproxy> {
  const port = await freePort();
  const child = spawn(binary, ['-host', '127.0.0.1', '-port', String(port), `-seed=${seed}`], { stdio: 'ignore' });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.once('error', () => undefined);
  const url = `http://127.0.0.1:${port}`;
  const kill = (): void => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  };
  const deadline = Date.now() + 10_000;
  for (;;) {
    const ok = await fetch(`${url}/version`).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) break;
    if (Date.now() > deadline || child.exitCode !== null) {
      kill();
      await exited;
      throw new EnvStartError(`toxiproxy-server did not answer on ${url} within 10 s`, undefined, { binary });
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    url,
    implementation: 'binary',
    pid: child.pid,
    async close() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(kill, 3_000);
      await exited;
      clearTimeout(timer);
    },
    destroySync: kill,
  };
}

/** A free TCP port on 127.0.0.1 (released before use: a small race, fine for a test machine). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}
