/**
 * The REST API server: node:http, one route table, one error mapping, one log line per request.
 *
 * Lifecycle (after fastify's preClose → 503 → drain → onClose):
 * - `close()`: stop listening, answer any request that still arrives on an open connection with
 *   503 + `Connection: close`, let in-flight requests finish, close connections as they go idle,
 *   and resolve once the server is closed. After `closeTimeoutMs` the remaining connections are
 *   destroyed. Idempotent: a second call returns the same promise.
 * - `destroy()`: close every connection now; in-flight requests are cut off.
 *
 * "Accepting" is the service's decision (the runtime flips it when shutdown begins); the server
 * only asks `service.accepting()` on every mutating request.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pino, type Logger } from 'pino';
import type { Registry } from 'prom-client';
import { OyaError } from '../errors.ts';
import { ADMIN_PREFIX, adminRoutes, assertAdminToken } from './admin.ts';
import { ShuttingDownError, toHttpError } from './errors.ts';
import { createRouter, type Reply, type Route } from './router.ts';
import { apiMetrics } from './metrics.ts';
import { publicRoutes } from './routes.ts';
import type { BeadService } from './service.ts';

/** Options of `startApiServer`. */
export interface ApiServerOptions {
  service: BeadService;
  /** @default '127.0.0.1' (loopback: the API has no auth besides the admin token) */
  host?: string;
  /** 0 picks a free port. @default 8080 */
  port?: number;
  /** Enables /admin/* guarded by this bearer token. Absent: /admin/* does not exist (404). */
  admin?: { token: string };
  /** Largest accepted request body, in bytes. @default 1_048_576 (1 MiB) */
  bodyLimitBytes?: number;
  /** Request logger: one line per request at debug, one per error at warn. @default pino at info */
  logger?: Logger;
  /** How long `close()` waits for in-flight requests before destroying connections, ms. @default 10_000 */
  closeTimeoutMs?: number;
  /** Whole-request deadline enforced by node:http (slow clients), ms. @default 30_000 */
  requestTimeoutMs?: number;
  /** Registry for the API's request counter and latency histogram. Absent: not recorded. */
  registry?: Registry;
}

/** A running API server. */
export interface ApiServerHandle {
  /** `http://host:port`. */
  url: string;
  port: number;
  /** Graceful: stop accepting, drain in-flight requests, close. Idempotent. */
  close(): Promise<void>;
  /** Immediate: closes every connection, in-flight requests included. Idempotent. */
  destroy(): void;
}

/** The options were wrong: a bad port, an empty admin token, a non-positive limit. */
export class ApiOptionsError extends OyaError {
  constructor(message: string, details: Record<string, unknown>) {
    super('ORCH_API_INVALID_OPTIONS', message, { details });
  }
}

const DEFAULTS = { host: '127.0.0.1', port: 8080, bodyLimitBytes: 1_048_576, closeTimeoutMs: 10_000, requestTimeoutMs: 30_000 };

/** Largest unread request body node:http may skip to keep a connection alive after an error. */
const UNREAD_BODY_KEEP_ALIVE_BYTES = 64 * 1024;

/** Request ids from clients are echoed only when they are short and printable (they go into logs). */
const CLIENT_REQUEST_ID = /^[\w.:-]{1,128}$/;

/** Starts the API server and resolves once it listens. */
export async function startApiServer(options: ApiServerOptions): Promise<ApiServerHandle> {
  const opts = { ...DEFAULTS, ...withoutUndefined(options) };
  if (!Number.isInteger(opts.port) || opts.port < 0 || opts.port > 65535) throw new ApiOptionsError(`invalid port ${opts.port}`, { port: opts.port });
  if (!(opts.bodyLimitBytes > 0)) throw new ApiOptionsError('bodyLimitBytes must be positive', { bodyLimitBytes: opts.bodyLimitBytes });
  if (options.admin && options.admin.token.length < 8) throw new ApiOptionsError('admin token must be at least 8 characters', {});
  const log = options.logger ?? pino({ name: 'oya-api', level: 'info' });
  const { service } = options;
  const adminToken = options.admin?.token;

  const routes: Route[] = publicRoutes(service, opts.bodyLimitBytes);
  if (adminToken !== undefined) routes.push(...adminRoutes(service.admin, opts.bodyLimitBytes));
  const router = createRouter(routes);
  const recordRequest = options.registry ? apiMetrics(options.registry) : undefined;

  let closing = false;
  let inFlight = 0;
  let onDrained: (() => void) | undefined;

  // One per request in flight: aborted when its client goes away or the server begins to close,
  // so a long-poll (GET /events?wait=) never holds a graceful close for its whole wait.
  const requestAborts = new Set<AbortController>();
  const abortRequests = (): void => {
    for (const controller of requestAborts) controller.abort();
  };

  async function handle(req: IncomingMessage, res: ServerResponse, signal: AbortSignal): Promise<void> {
    const startedAt = performance.now();
    const given = req.headers['x-request-id'];
    const requestId = typeof given === 'string' && CLIENT_REQUEST_ID.test(given) ? given : randomUUID();
    res.setHeader('x-request-id', requestId);
    const method = req.method ?? 'GET';
    let path = req.url ?? '/';
    let routeLabel = 'unmatched';
    try {
      const url = new URL(req.url ?? '/', 'http://api.invalid');
      path = url.pathname;
      if (closing) throw new ShuttingDownError();
      if (adminToken !== undefined && path.startsWith(ADMIN_PREFIX)) assertAdminToken(req, adminToken);
      const { route, params } = router.match(method, path);
      routeLabel = route.path;
      if (route.mutates && !service.accepting()) throw new ShuttingDownError();
      send(req, res, await route.handler({ req, url, params, requestId, signal }));
    } catch (err) {
      const mapped = toHttpError(err);
      if (mapped.internal) log.error({ reqId: requestId, method, path, err }, 'request failed with an unexpected error');
      else log.warn({ reqId: requestId, method, path, status: mapped.status, code: mapped.body.error.code }, mapped.body.error.message);
      send(req, res, { status: mapped.status, json: mapped.body, headers: mapped.headers });
    } finally {
      const ms = performance.now() - startedAt;
      log.debug({ reqId: requestId, method, path, status: res.statusCode, ms: Math.round(ms * 100) / 100 }, 'request');
      recordRequest?.({ method, route: routeLabel, status: res.statusCode }, ms / 1000);
    }
  }

  function send(req: IncomingMessage, res: ServerResponse, reply: Reply): void {
    if (res.headersSent || res.destroyed) return;
    for (const [name, value] of Object.entries(reply.headers ?? {})) res.setHeader(name, value);
    // node:http discards an unread body before the next request on the connection; worth it for
    // a small one, not for an oversize or unbounded one: then close. Shutdown ends keep-alive too.
    const declared = Number(req.headers['content-length'] ?? NaN);
    const unreadAndBig = !req.complete && !(declared <= UNREAD_BODY_KEEP_ALIVE_BYTES);
    if (closing || reply.status === 413 || unreadAndBig) res.setHeader('connection', 'close');
    const isJson = reply.json !== undefined || reply.text === undefined;
    const payload = isJson ? JSON.stringify(reply.json ?? null) : reply.text!;
    res.statusCode = reply.status;
    res.setHeader('content-type', isJson ? 'application/json; charset=utf-8' : (reply.contentType ?? 'text/plain; charset=utf-8'));
    res.setHeader('content-length', Buffer.byteLength(payload));
    res.end(payload);
  }

  const server = createServer({ requestTimeout: opts.requestTimeoutMs }, (req, res) => {
    // A request is over when its handler returned (its response may still wait behind an earlier
    // one on the same connection) or when its connection closed under it, whichever comes first.
    inFlight += 1;
    const abort = new AbortController();
    requestAborts.add(abort);
    if (closing) abort.abort();
    let over = false;
    const finish = () => {
      if (over) return;
      over = true;
      inFlight -= 1;
      requestAborts.delete(abort);
      abort.abort();
      if (closing) {
        server.closeIdleConnections();
        if (inFlight === 0) onDrained?.();
      }
    };
    res.once('close', finish);
    void handle(req, res, abort.signal).finally(finish);
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const hostForUrl = opts.host.includes(':') ? `[${opts.host}]` : opts.host;

  let closePromise: Promise<void> | undefined;
  const destroy = (): void => {
    closing = true;
    abortRequests();
    server.close();
    server.closeAllConnections();
  };
  const close = (): Promise<void> => {
    closePromise ??= new Promise<void>((resolve) => {
      closing = true;
      abortRequests();
      const closed = new Promise<void>((done) => server.close(() => done()));
      const drained = new Promise<void>((done) => {
        onDrained = done;
        if (inFlight === 0) done();
      });
      server.closeIdleConnections();
      const deadline = setTimeout(() => {
        log.warn({ inFlight, closeTimeoutMs: opts.closeTimeoutMs }, 'API drain deadline passed; destroying connections');
        server.closeAllConnections();
      }, opts.closeTimeoutMs);
      deadline.unref();
      void drained.then(() => server.closeIdleConnections());
      void Promise.all([closed, drained]).then(() => {
        clearTimeout(deadline);
        resolve();
      });
    });
    return closePromise;
  };

  log.info({ url: `http://${hostForUrl}:${port}`, admin: adminToken !== undefined }, 'API listening');
  return { url: `http://${hostForUrl}:${port}`, port, close, destroy };
}

function withoutUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
