/**
 * The worker's HTTP API, shaped like `opencode serve`:
 *
 * | route                              | answer                                             |
 * |------------------------------------|----------------------------------------------------|
 * | GET  /global/health                | 200 `{healthy: true, workerId, pid}`               |
 * | POST /session                      | 200 `{id}`                                         |
 * | GET  /session/:id                  | 200 SessionInfo, 404                               |
 * | POST /session/:id/prompt_async     | 204 at once (PromptBody), 400, 404, 409 when busy  |
 * | POST /session/:id/abort            | 200 `true` (also when idle, like opencode)         |
 * | GET  /event                        | SSE: `server.connected`, then every WorkerEvent    |
 *
 * Errors are `{code, message}` JSON with the status above.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { OyaError } from '../errors.ts';
import { httpDate } from '../util/utc-text.ts';
import type { SideEffectSink } from '../agent/side-effects.ts';
import type { AgentCheckpoint } from '../agent/simulated.ts';
import { WorkerBadRequestError } from './errors.ts';
import { SSE_HEARTBEAT_INTERVAL_MS, type PromptBody, type WorkerEvent } from './protocol.ts';
import { SessionRegistry } from './sessions.ts';

/** Largest accepted request body (agent inputs carry `output`, which may be big). */
const MAX_BODY_BYTES = 16 * 1024 * 1024;

/** How long close() lets in-flight requests finish before it drops their connections. */
const CLOSE_GRACE_MS = 250;

const STATUS_BY_CODE: Record<string, number> = {
  ORCH_WORKER_SESSION_NOT_FOUND: 404,
  ORCH_WORKER_SESSION_BUSY: 409,
  ORCH_WORKER_BAD_REQUEST: 400,
  ORCH_AGENT_INVALID_INPUT: 400,
};

/** Options of a worker HTTP server. */
export interface WorkerServerOptions {
  workerId: string;
  sideEffects: SideEffectSink;
  /**
   * Hard crash requested by an agent (`crashAt`). Called after the event streams were flushed:
   * events sent before a real crash reached the socket, so the simulated one must not lose them.
   */
  onCrash: (sessionID: string, step: number) => void | Promise<void>;
  /** @default 127.0.0.1 */
  host?: string;
  /** @default 0 (any free port) */
  port?: number;
}

/** A running worker HTTP server. */
export interface WorkerServerHandle {
  port: number;
  url: string;
  sessions: SessionRegistry;
  /** Aborts runs, ends SSE streams, stops listening. Idempotent. */
  close(): Promise<void>;
  /** Drops every connection at once. */
  destroy(): void;
}

/** Starts the worker HTTP API and resolves once it listens. */
export async function startWorkerServer(options: WorkerServerOptions): Promise<WorkerServerHandle> {
  const subscribers = new Set<ServerResponse>();
  const sockets = new Set<Socket>();
  const publish = (event: WorkerEvent): void => {
    const frame = `data: ${JSON.stringify(event)}\n\n`;
    for (const res of subscribers) res.write(frame);
  };
  // Resolves once every stream's pending writes were handed to the kernel.
  // Bounded: a stuck client must not keep a crash from happening.
  const flush = (): Promise<unknown> =>
    Promise.race([
      Promise.all([...subscribers].map((res) => new Promise<void>((resolve) => res.write(':\n\n', () => resolve())))),
      new Promise((resolve) => setTimeout(resolve, 500).unref()),
    ]);
  const sessions = new SessionRegistry({
    sideEffects: options.sideEffects,
    publish,
    onCrash: async (sessionID, step) => {
      await flush();
      await options.onCrash(sessionID, step);
    },
  });

  const server: Server = createServer((req, res) => {
    // The Date header every answer carries, formatted by us rather than by node:http, which
    // formats it with Date#toUTCString (~0.8 MiB of RSS at its first call: ../util/utc-text.ts).
    res.sendDate = false;
    res.setHeader('date', httpDate(Date.now()));
    handle(req, res).catch((err: unknown) => sendError(res, err));
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  // SSE comments would be invisible to typed clients; a typed heartbeat lets them detect a dead stream.
  const keepAlive = setInterval(() => publish({ type: 'server.heartbeat', properties: { at: Date.now() } }), SSE_HEARTBEAT_INTERVAL_MS);
  keepAlive.unref();

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = new URL(req.url ?? '/', 'http://worker').pathname;
    const parts = path.split('/').filter(Boolean);
    const method = req.method ?? 'GET';
    if (method === 'GET' && path === '/global/health') {
      sendJson(res, 200, { healthy: true, workerId: options.workerId, pid: process.pid });
      return;
    }
    if (method === 'GET' && path === '/event') {
      openEventStream(req, res);
      return;
    }
    if (parts[0] === 'session') {
      if (method === 'POST' && parts.length === 1) {
        sendJson(res, 200, sessions.create());
        return;
      }
      const id = parts[1] ?? '';
      if (method === 'GET' && parts.length === 2) {
        sendJson(res, 200, sessions.get(id));
        return;
      }
      if (method === 'POST' && parts.length === 3 && parts[2] === 'prompt_async') {
        sessions.prompt(id, parsePrompt(await readJson(req)));
        res.writeHead(204).end();
        return;
      }
      if (method === 'POST' && parts.length === 3 && parts[2] === 'abort') {
        sendJson(res, 200, sessions.abort(id));
        return;
      }
    }
    sendJson(res, 404, { code: 'ORCH_WORKER_ROUTE_NOT_FOUND', message: `no route ${method} ${path}` });
  }

  function openEventStream(req: IncomingMessage, res: ServerResponse): void {
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' });
    res.write(`data: ${JSON.stringify({ type: 'server.connected', properties: { workerId: options.workerId, pid: process.pid } })}\n\n`);
    subscribers.add(res);
    res.once('close', () => subscribers.delete(res));
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;

  let closing: Promise<void> | undefined;
  return {
    port,
    url: `http://${options.host ?? '127.0.0.1'}:${port}`,
    sessions,
    close() {
      closing ??= (async () => {
        clearInterval(keepAlive);
        await sessions.abortAll();
        for (const res of subscribers) res.end();
        subscribers.clear();
        await new Promise<void>((resolve) => {
          server.close(() => resolve());
          server.closeIdleConnections();
          // A client that dropped its event stream may leave the socket half-closed until a
          // keep-alive timeout (seconds); in-flight calls are short, so cut the rest after a grace.
          setTimeout(() => server.closeAllConnections(), CLOSE_GRACE_MS).unref();
        });
      })();
      return closing;
    },
    destroy() {
      clearInterval(keepAlive);
      for (const socket of sockets) socket.destroy();
      server.close();
    },
  };
}

function parsePrompt(body: unknown): PromptBody {
  const b = body as Partial<PromptBody> | null;
  if (typeof b !== 'object' || b === null) throw new WorkerBadRequestError('prompt body must be a JSON object');
  if (typeof b.beadId !== 'string' || b.beadId === '') throw new WorkerBadRequestError('prompt body needs beadId (string)');
  if (typeof b.seed !== 'number' && typeof b.seed !== 'string') throw new WorkerBadRequestError('prompt body needs seed (number or string)');
  if (b.attempt !== undefined && (!Number.isInteger(b.attempt) || b.attempt < 1)) {
    throw new WorkerBadRequestError('attempt must be an integer >= 1');
  }
  // The body is untyped JSON: fromCheckpoint may be null or a partial object, whatever PromptBody says.
  const cp = b.fromCheckpoint as Partial<AgentCheckpoint> | null | undefined;
  if (cp !== undefined && (typeof cp !== 'object' || cp === null || typeof cp.step !== 'number' || typeof cp.state !== 'string')) {
    throw new WorkerBadRequestError('fromCheckpoint must be {step: number, state: string}');
  }
  return b as PromptBody;
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) throw new WorkerBadRequestError(`body larger than ${MAX_BODY_BYTES} bytes`);
    chunks.push(chunk as Buffer);
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch {
    throw new WorkerBadRequestError('body is not valid JSON');
  }
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) }).end(text);
}

function sendError(res: ServerResponse, err: unknown): void {
  if (res.headersSent) return void res.destroy();
  if (err instanceof OyaError) {
    sendJson(res, STATUS_BY_CODE[err.code] ?? 500, { code: err.code, message: err.message, retryable: err.retryable });
    return;
  }
  sendJson(res, 500, { code: 'ORCH_WORKER_INTERNAL', message: err instanceof Error ? err.message : String(err) });
}
