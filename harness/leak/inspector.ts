/**
 * A minimal Chrome DevTools Protocol client for the Node inspector of a SEPARATE process.
 *
 * Why the inspector (and not an IPC `process.memoryUsage()` message): it needs no code and no IPC
 * channel in the target — any Node process started with `--inspect=127.0.0.1:0` answers, whether
 * the harness spawned it with `fork`, `spawn`, or through `node --import tsx`. It also gives the two
 * things a leak check needs from the same channel: `Runtime.getHeapUsage` (cheap, no evaluation in
 * the target) and `HeapProfiler.takeHeapSnapshot` streamed in chunks (no file written by the target,
 * so no race on "is the SIGUSR2 snapshot file finished yet"). Port 0 means no port clashes; the real
 * port is found from the target's stderr banner or, given only a pid, from /proc (see below).
 */
import { readFileSync, readdirSync, readlinkSync } from 'node:fs';
import { WebSocket, type RawData } from 'ws';
import { LeakInspectorCallError, LeakInspectorUnavailableError } from './errors.ts';

/** The banner Node prints on stderr: `Debugger listening on ws://127.0.0.1:PORT/UUID`. */
const BANNER = /Debugger listening on (ws:\/\/[^\s]+)/;

/** Default time one protocol call may take; a heap snapshot gets its own, longer budget. */
const DEFAULT_CALL_TIMEOUT_MS = 10_000;

/** Returns the inspector WebSocket URL from text the target wrote on stderr, or undefined. */
export function parseInspectorBanner(stderrText: string): string | undefined {
  return BANNER.exec(stderrText)?.[1];
}

/**
 * Waits until a child's stderr prints the inspector banner and returns its URL.
 * @param stderr the child's stderr stream (spawn with `stdio: [..., ..., 'pipe']`).
 */
export function waitForInspectorBanner(stderr: NodeJS.ReadableStream, timeoutMs = 15_000): Promise<string> {
  return new Promise((resolve, reject) => {
    let seen = '';
    const onData = (chunk: Buffer | string): void => {
      seen += chunk.toString();
      const url = parseInspectorBanner(seen);
      if (url !== undefined) finish(() => resolve(url));
    };
    const timer = setTimeout(
      () => finish(() => reject(new LeakInspectorUnavailableError(`no inspector banner on stderr within ${timeoutMs} ms`, { stderr: seen.slice(-500) }))),
      timeoutMs,
    );
    const finish = (settle: () => void): void => {
      clearTimeout(timer);
      stderr.off('data', onData);
      settle();
    };
    stderr.on('data', onData);
  });
}

/** TCP ports the process is listening on, from /proc/<pid>/fd socket inodes matched in /proc/<pid>/net/tcp{,6}. */
export function listeningPortsOf(pid: number): number[] {
  const inodes = new Set<string>();
  let fds: string[];
  try {
    fds = readdirSync(`/proc/${pid}/fd`);
  } catch (err) {
    throw new LeakInspectorUnavailableError(`cannot list /proc/${pid}/fd`, { pid }, err);
  }
  for (const fd of fds) {
    try {
      const m = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`));
      if (m?.[1] !== undefined) inodes.add(m[1]);
    } catch {
      // fds come and go while we read; a vanished one is not ours to report.
    }
  }
  const ports: number[] = [];
  for (const table of ['tcp', 'tcp6']) {
    let text = '';
    try {
      text = readFileSync(`/proc/${pid}/net/${table}`, 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n').slice(1)) {
      const cols = line.trim().split(/\s+/);
      // st == 0A is TCP_LISTEN; col 9 is the socket inode.
      if (cols[3] === '0A' && cols[9] !== undefined && inodes.has(cols[9])) {
        ports.push(Number.parseInt(cols[1]?.split(':')[1] ?? '0', 16));
      }
    }
  }
  return ports;
}

/**
 * Finds the inspector URL of a process given only its pid: asks each port it listens on for
 * `/json/list` (the inspector's HTTP discovery endpoint). Needs `--inspect=127.0.0.1:0` (or any port).
 */
export async function discoverInspectorUrl(pid: number): Promise<string> {
  for (const port of listeningPortsOf(pid)) {
    try {
      const res = await fetch(`http://127.0.0.1:${port}/json/list`, { signal: AbortSignal.timeout(2_000) });
      const targets = (await res.json()) as Array<{ webSocketDebuggerUrl?: string }>;
      const url = targets[0]?.webSocketDebuggerUrl;
      if (url !== undefined) return url;
    } catch {
      // Not the inspector (an API port, say): try the next one.
    }
  }
  throw new LeakInspectorUnavailableError(`process ${pid} has no reachable Node inspector; start it with --inspect=127.0.0.1:0`, { pid });
}

type Pending = { resolve: (v: unknown) => void; reject: (e: Error) => void; timer: NodeJS.Timeout; method: string };

/** One open DevTools protocol session. `close()` is graceful and idempotent; `destroy()` drops the socket. */
export interface InspectorSession {
  readonly url: string;
  /** Sends a protocol command and resolves with its `result`. */
  call<T = unknown>(method: string, params?: Record<string, unknown>, timeoutMs?: number): Promise<T>;
  /** Subscribes to a protocol event; returns the unsubscribe function. */
  on(event: string, listener: (params: Record<string, unknown>) => void): () => void;
  close(): Promise<void>;
  destroy(): void;
}

/** Opens a protocol session on `url` (a `ws://…` from the banner or {@link discoverInspectorUrl}). */
/** A CDP message: a reply to a call (`id`) or an event (`method`). */
interface InspectorMessage {
  id?: number;
  result?: unknown;
  error?: { message: string };
  method?: string;
  params?: Record<string, unknown>;
}

/** The text of a WebSocket message: a Buffer with ws's default binaryType; the other RawData shapes for completeness. */
function messageText(data: RawData): string {
  if (Array.isArray(data)) return Buffer.concat(data).toString();
  if (data instanceof ArrayBuffer) return Buffer.from(data).toString();
  return data.toString();
}

export async function connectInspector(url: string, timeoutMs = 5_000): Promise<InspectorSession> {
  const socket = new WebSocket(url, { perMessageDeflate: false, maxPayload: 1 << 30 });
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      socket.terminate();
      reject(new LeakInspectorUnavailableError(`inspector at ${url} did not accept a session within ${timeoutMs} ms`, { url }));
    }, timeoutMs);
    socket.once('open', () => {
      clearTimeout(timer);
      resolve();
    });
    socket.once('error', (err) => {
      clearTimeout(timer);
      reject(new LeakInspectorUnavailableError(`cannot connect to inspector at ${url}`, { url }, err));
    });
  });

  let nextId = 1;
  const pending = new Map<number, Pending>();
  const listeners = new Map<string, Set<(params: Record<string, unknown>) => void>>();
  let closed: Promise<void> | undefined;

  const failAll = (why: string): void => {
    for (const [id, p] of pending) {
      clearTimeout(p.timer);
      p.reject(new LeakInspectorCallError(p.method, why));
      pending.delete(id);
    }
  };
  socket.on('message', (data) => {
    const msg = JSON.parse(messageText(data)) as InspectorMessage;
    if (msg.id !== undefined) {
      const p = pending.get(msg.id);
      if (p === undefined) return;
      pending.delete(msg.id);
      clearTimeout(p.timer);
      if (msg.error !== undefined) p.reject(new LeakInspectorCallError(p.method, msg.error.message));
      else p.resolve(msg.result);
    } else if (msg.method !== undefined) {
      for (const l of listeners.get(msg.method) ?? []) l(msg.params ?? {});
    }
  });
  socket.on('close', () => failAll('session closed (did the target exit?)'));
  socket.on('error', () => failAll('socket error'));

  return {
    url,
    call<T>(method: string, params: Record<string, unknown> = {}, callTimeoutMs = DEFAULT_CALL_TIMEOUT_MS): Promise<T> {
      if (socket.readyState !== WebSocket.OPEN) return Promise.reject(new LeakInspectorCallError(method, 'session is not open'));
      const id = nextId++;
      return new Promise<T>((resolve, reject) => {
        const timer = setTimeout(() => {
          pending.delete(id);
          reject(new LeakInspectorCallError(method, `no answer within ${callTimeoutMs} ms`));
        }, callTimeoutMs);
        pending.set(id, { resolve: resolve as (v: unknown) => void, reject, timer, method });
        socket.send(JSON.stringify({ id, method, params }));
      });
    },
    on(event, listener) {
      const set = listeners.get(event) ?? new Set();
      listeners.set(event, set);
      set.add(listener);
      return () => set.delete(listener);
    },
    close() {
      closed ??= new Promise<void>((resolve) => {
        if (socket.readyState === WebSocket.CLOSED) {
          resolve();
          return;
        }
        const timer = setTimeout(() => {
          socket.terminate();
          resolve();
        }, 2_000);
        socket.once('close', () => {
          clearTimeout(timer);
          resolve();
        });
        socket.close();
      });
      return closed;
    },
    destroy() {
      socket.terminate();
      failAll('session destroyed');
    },
  };
}
