/**
 * The fixture every conformance file shares: the Toxiproxy under test (the embedded server started
 * on port 0, or the real toxiproxy-server at TOXIPROXY_URL, in which case nothing is started), real
 * echo/sink TCP upstreams on port 0, and client sockets that record what they see. Every resource
 * registers its cleanup as it is created; `cleanup()` runs them all (call it from afterEach).
 */
import { createServer, connect, type AddressInfo, type Server, type Socket } from 'node:net';
import { Toxiproxy } from 'toxiproxy-node-client';
import { startToxiproxyServer } from '../server.ts';

/** Where the Toxiproxy under test lives and how to talk to it. */
export interface Backend {
  url: string;
  client: Toxiproxy;
  /** True for the embedded server, false against a real toxiproxy-server (TOXIPROXY_URL). */
  embedded: boolean;
  close(): Promise<void>;
}

/** Starts the embedded server, or points at TOXIPROXY_URL when it is set. */
export async function openBackend(seed = 42): Promise<Backend> {
  const external = process.env['TOXIPROXY_URL'];
  if (external) {
    const url = external.replace(/\/$/, '');
    return { url, client: new Toxiproxy(url), embedded: false, close: async () => {} };
  }
  const server = await startToxiproxyServer({ seed });
  return { url: server.url, client: new Toxiproxy(server.url), embedded: true, close: () => server.close() };
}

const cleanups: Array<() => unknown> = [];

/** Registers a cleanup to run in `cleanup()`, newest first. */
export function defer(fn: () => unknown): void {
  cleanups.push(fn);
}

/** Runs every registered cleanup (newest first), also when some throw. */
export async function cleanup(): Promise<void> {
  while (cleanups.length) {
    try {
      await cleanups.pop()!();
    } catch {
      // Best effort: a proxy the test already deleted, a socket already closed.
    }
  }
}

let nameCounter = 0;
const runId = Math.random().toString(36).slice(2, 8);
/** A proxy name unique to this run, so a shared real server never sees clashes. */
export function uniqueName(label: string): string {
  return `oya_${runId}_${label}_${++nameCounter}`;
}

/** The port after the last `:` of a proxy's `listen` (as testcontainers parses it). */
export function portOf(listen: string): number {
  return Number(listen.slice(listen.lastIndexOf(':') + 1));
}

/** A raw HTTP call to the API; returns status, headers and body text. */
export async function http(backend: Backend, method: string, path: string, body?: string, headers: Record<string, string> = {}) {
  const res = await fetch(`${backend.url}${path}`, { method, body, headers });
  return { status: res.status, headers: res.headers, text: await res.text() };
}

/** Creates a proxy through the node client and deletes it in cleanup. */
export async function createProxy(backend: Backend, upstreamPort: number, label = 'p', extra: { listen?: string; enabled?: boolean } = {}) {
  const name = uniqueName(label);
  const proxy = await backend.client.createProxy({
    name,
    listen: extra.listen ?? '127.0.0.1:0',
    upstream: `127.0.0.1:${upstreamPort}`,
    enabled: extra.enabled ?? true,
  });
  defer(() => http(backend, 'DELETE', `/proxies/${name}`));
  return proxy;
}

/** A TCP upstream; `mode` echo writes every byte back, sink only records. */
export interface Upstream {
  port: number;
  /** Server-side sockets, in accept order, each with what it received. */
  peers: RecordingSocket[];
  /** Resolves with the next accepted peer. */
  nextPeer(): Promise<RecordingSocket>;
  close(): Promise<void>;
}

export async function startUpstream(mode: 'echo' | 'sink'): Promise<Upstream> {
  const peers: RecordingSocket[] = [];
  const waiting: Array<(peer: RecordingSocket) => void> = [];
  const server: Server = createServer({ allowHalfOpen: false }, (socket) => {
    const peer = new RecordingSocket(socket);
    if (mode === 'echo') socket.on('data', (d: Buffer) => !socket.destroyed && socket.write(d));
    peers.push(peer);
    waiting.shift()?.(peer);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const upstream: Upstream = {
    port: (server.address() as AddressInfo).port,
    peers,
    nextPeer: () => new Promise((resolve) => waiting.push(resolve)),
    close: () =>
      new Promise<void>((resolve) => {
        for (const p of peers) p.socket.destroy();
        server.close(() => resolve());
      }),
  };
  defer(() => upstream.close());
  return upstream;
}

/** How a socket ended: `'eof'` (FIN), an error code such as `'ECONNRESET'`, or still `'open'`. */
export type EndState = string;

/** A socket that records received bytes and how it ended, for assertions. */
export class RecordingSocket {
  data = Buffer.alloc(0);
  end: EndState = 'open';
  /** Bytes and times of each 'data' event (for slicer piece counts and latency). */
  readonly events: Array<{ at: number; bytes: number }> = [];
  private listeners: Array<() => void> = [];

  constructor(readonly socket: Socket) {
    socket.on('data', (d: Buffer) => {
      this.data = Buffer.concat([this.data, d]);
      this.events.push({ at: performance.now(), bytes: d.length });
      this.notify();
    });
    socket.on('error', (err: NodeJS.ErrnoException) => {
      if (this.end === 'open') this.end = err.code ?? err.message;
      this.notify();
    });
    socket.on('end', () => {
      if (this.end === 'open') this.end = 'eof';
      this.notify();
    });
    socket.on('close', () => {
      if (this.end === 'open') this.end = 'eof';
      this.notify();
    });
  }

  private notify(): void {
    for (const l of this.listeners.splice(0)) l();
  }

  /** Waits until `predicate` holds or `timeoutMs` passes; returns whether it held. */
  async until(predicate: () => boolean, timeoutMs: number): Promise<boolean> {
    const deadline = performance.now() + timeoutMs;
    while (!predicate()) {
      const left = deadline - performance.now();
      if (left <= 0) return false;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.listeners.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
    return true;
  }

  /** Waits for at least `n` bytes; returns the time it took (ms), or throws on timeout. */
  async read(n: number, timeoutMs = 5000): Promise<number> {
    const start = performance.now();
    if (!(await this.until(() => this.data.length >= n, timeoutMs))) {
      throw new Error(`expected ${n} bytes within ${timeoutMs} ms, got ${this.data.length} (end: ${this.end})`);
    }
    return performance.now() - start;
  }

  /** Waits for the socket to end; returns the end state (`open` on timeout). */
  async ended(timeoutMs = 5000): Promise<EndState> {
    await this.until(() => this.end !== 'open', timeoutMs);
    return this.end;
  }
}

/** Connects a recording client to `port` on 127.0.0.1 and destroys it in cleanup. */
export async function connectClient(port: number): Promise<RecordingSocket> {
  const socket = connect({ port, host: '127.0.0.1', allowHalfOpen: false });
  const client = new RecordingSocket(socket);
  defer(() => socket.destroy());
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('error', reject);
  });
  return client;
}

/** Resolves to the error code of a connect attempt, or 'connected'. */
export function tryConnect(port: number): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect({ port, host: '127.0.0.1' });
    socket.once('connect', () => {
      socket.destroy();
      resolve('connected');
    });
    socket.once('error', (err: NodeJS.ErrnoException) => resolve(err.code ?? err.message));
  });
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
