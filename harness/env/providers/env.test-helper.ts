/** Shared probes of the provider tests: real clients and what /proc says is left behind. */
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { Surreal } from 'surrealdb';
import { sdkWebSocket } from '../surreal/websocket.ts';
import { isProcessRunning } from '../../../system/util/index.ts';

/** A stock `surrealdb` SDK client, signed in as root, on namespace oya / database env. */
export async function surrealClient(
  url: string,
  credentials: { username: string; password: string },
  cleanups: Array<() => Promise<unknown>>,
): Promise<Surreal> {
  const db = new Surreal({ websocketImpl: sdkWebSocket });
  cleanups.push(() => db.close());
  await db.connect(url, { reconnect: false });
  await db.signin({ username: credentials.username, password: credentials.password });
  await db.use({ namespace: 'oya', database: 'env' });
  return db;
}

/** Rejects when `promise` has not settled within ms. */
export function within<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout;
  return Promise.race([
    promise.finally(() => clearTimeout(timer)),
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
    }),
  ]);
}

/** Milliseconds a call takes. */
export async function timed(fn: () => Promise<unknown>): Promise<number> {
  const start = performance.now();
  await fn();
  return performance.now() - start;
}

/** True while a process with this pid runs (a zombie counts as gone). */
export const alive = isProcessRunning;

/** True when nothing accepts TCP connections on host:port. */
export function refused(hostPort: string): Promise<boolean> {
  const [host, port] = [hostPort.slice(0, hostPort.lastIndexOf(':')), Number(hostPort.slice(hostPort.lastIndexOf(':') + 1))];
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('error', () => resolve(true));
  });
}

/** `host:port` of a ws:// or http:// URL. */
export function hostPort(url: string): string {
  return new URL(url).host;
}

/** Ports this process listens on (its socket fds matched with LISTEN rows of /proc/net/tcp*). */
export function listeningPortsOfThisProcess(): number[] {
  const inodes = new Set<string>();
  for (const fd of readdirSync('/proc/self/fd')) {
    try {
      const match = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/self/fd/${fd}`));
      if (match) inodes.add(match[1]!);
    } catch {
      // fd closed meanwhile
    }
  }
  const ports: number[] = [];
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    for (const row of readFileSync(table, 'utf8').trim().split('\n').slice(1)) {
      const cols = row.trim().split(/\s+/);
      if (cols[3] === '0A' && inodes.has(cols[9]!)) ports.push(parseInt(cols[1]!.split(':')[1]!, 16));
    }
  }
  return ports.sort((a, b) => a - b);
}

/** Mount points under this run's temp dirs (from /proc/mounts). */
export function envMounts(label: string): string[] {
  const prefix = `${tmpdir()}/oya-env-${label}-`;
  return readFileSync('/proc/mounts', 'utf8')
    .split('\n')
    .map((l) => l.split(' ')[1] ?? '')
    .filter((m) => m.startsWith(prefix));
}

/** Temp dirs an environment with this label left. */
export function envTempDirs(label: string): string[] {
  return readdirSync(tmpdir()).filter((name) => name.startsWith(`oya-env-${label}-`));
}
