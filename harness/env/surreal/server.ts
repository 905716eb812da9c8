/**
 * The embedded SurrealDB server: the real engine from `@surrealdb/node` behind SurrealDB's own
 * network API — WebSocket RPC (`/rpc`, subprotocol `cbor`) and the HTTP API (`POST /rpc`, `/sql`,
 * `/signin`, `/signup`, `/import`, `/export`, `/health`, `/status`, `/version`; http-api.ts) — so
 * the stock `surrealdb` SDK connects with `ws://HOST:PORT/rpc` or `http://HOST:PORT/rpc` and sees
 * what a `surreal start` would answer. See README.md for what differs from the real server.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdirSync } from 'node:fs';
import { resolve as resolvePath } from 'node:path';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { decode, encode } from '@surrealdb/cbor';
import { nativeEngineVersion } from './native-engine.ts';
import { EngineHost } from './engine-host.ts';
import { RpcConnection } from './connection.ts';
import { handleHttp, type HttpApiHost } from './http-api.ts';
import { errorResponse, rawKey, splitMap } from './rpc-frame.ts';
import { bodyToCbor, cborToBody, type BodyFormat } from './http-format.ts';
import { SurrealServerStartError } from './errors.ts';
import { embeddedDir, embeddedUrlFor } from '../../../system/events/index.ts';

/** How long destroy() waits for calls already inside the native engine before giving up on freeing it. */
const NATIVE_CALL_GRACE_MS = 2000;

/** Options of startSurrealServer. */
export interface SurrealServerOptions {
  /** @default '127.0.0.1' */
  host?: string;
  /** 0 picks a free port. @default 0 */
  port?: number;
  /** `'memory'`, or a directory for a SurrealKV datastore (created if missing). @default 'memory' */
  path?: string;
  /** Root credentials. When both are set, sessions must sign in before they may query. */
  user?: string;
  pass?: string;
  /** How long close() waits for in-flight requests before freeing the engine (ms). @default 5000 */
  drainTimeoutMs?: number;
  /** Receives operational log lines (disk-full, reopen). @default discarded */
  log?: (line: string) => void;
  /** See EngineHostOptions.lockReleaseTimeoutMs: short when the process exits after close(). @default 5000 */
  lockReleaseTimeoutMs?: number;
}

/** A running embedded server. */
export interface SurrealServerHandle {
  /** `ws://HOST:PORT/rpc` */
  readonly url: string;
  readonly host: string;
  readonly port: number;
  /** The datastore URL the engine opened (`mem://`, `rocksdb://DIR` or, for a directory surrealkv wrote, `surrealkv://DIR`). */
  readonly datastore: string;
  /** Refuses new connections, drains in-flight requests, detaches sessions, frees the engine. Idempotent. */
  close(): Promise<void>;
  /** Drops every connection and frees the engine at once. Idempotent. */
  destroy(): Promise<void>;
}

/**
 * Maps the `path` option to the datastore URL the engine opens. A directory path opens as
 * `rocksdb://` unless surrealkv already wrote it (system/events/engine.ts: surrealkv 0.20.2 loses
 * committed events past its first memtable rotation).
 */
export function datastoreUrl(path: string): string {
  if (path === 'memory' || path === 'mem://') return 'mem://';
  if (/^[a-z+]+:\/\//.test(path)) return path;
  return embeddedUrlFor(resolvePath(path));
}

/** Starts the server in this process. Rejects with SurrealServerStartError when the path or port is unusable. */
export async function startSurrealServer(options: SurrealServerOptions = {}): Promise<SurrealServerHandle> {
  const host = options.host ?? '127.0.0.1';
  const datastore = datastoreUrl(options.path ?? 'memory');
  const dir = embeddedDir(datastore);
  if (dir !== undefined) mkdirSync(dir, { recursive: true });

  const owners = new Map<string, { connection: RpcConnection; clientRaw: Uint8Array | undefined }>();
  const deliver = (raw: Uint8Array): void => {
    const notification = splitMap(raw);
    const session = notification?.get('session');
    const owner = session ? owners.get(rawKey(session)) : undefined;
    // A notification for a session that is gone (client left) has nobody to go to.
    owner?.connection.deliverNotification(notification!, owner.clientRaw);
  };
  let engine: EngineHost;
  try {
    engine = await EngineHost.open({ datastore, onNotification: deliver, log: options.log, lockReleaseTimeoutMs: options.lockReleaseTimeoutMs });
  } catch (err) {
    throw new SurrealServerStartError(`cannot open datastore ${datastore}: ${(err as Error).message}`, { details: { datastore }, cause: err });
  }
  const authRequired = options.user !== undefined && options.pass !== undefined;
  try {
    if (authRequired) await defineRootUser(engine, options.user!, options.pass!);
  } catch (err) {
    await engine.close();
    throw err;
  }

  let closing = false;
  const connections = new Set<RpcConnection>();
  const sockets = new Set<WebSocket>();
  const host_: HttpApiHost = {
    execute: (request) => engine.execute(request),
    settleNotifications: () => engine.settleNotifications(),
    generation: () => engine.generation,
    registerSession: (key, connection, clientRaw) => owners.set(key, { connection, clientRaw }),
    unregisterSession: (key) => owners.delete(key),
    authRequired,
    importSql: (namespace, database, sql) => engine.importSql(namespace, database, sql),
    exportSql: (namespace, database, config) => engine.exportSql(namespace, database, config),
    version: () => `surrealdb-${nativeEngineVersion()}`,
  };
  const httpRequests = new Set<Promise<void>>();

  const wss = new WebSocketServer({
    noServer: true,
    maxPayload: 64 * 1024 * 1024,
    handleProtocols: (protocols) => wsFormat([...protocols]) ?? false,
  });
  const http = createServer((req, res) => {
    if (closing) return void res.writeHead(503, { connection: 'close' }).end();
    const served = handleHttp(req, res, host_).finally(() => httpRequests.delete(served));
    httpRequests.add(served);
  });
  http.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const path = (req.url ?? '/').split('?')[0];
    const offered = (req.headers['sec-websocket-protocol'] ?? '')
      .split(',')
      .map((p) => p.trim())
      .filter(Boolean);
    const format = wsFormat(offered);
    if (path !== '/rpc' || !format || closing) {
      const status = path !== '/rpc' ? '404 Not Found' : closing ? '503 Service Unavailable' : '400 Bad Request';
      socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      sockets.add(ws);
      // The connection speaks CBOR; a JSON socket gets its frames converted both ways.
      const frames =
        format === 'cbor'
          ? ws
          : {
              get readyState() {
                return ws.readyState;
              },
              send: (data: Uint8Array) => ws.send(cborToBody(data, 'json'), { binary: false }),
            };
      const connection = new RpcConnection(host_, frames);
      connections.add(connection);
      ws.on('message', (data, isBinary) => {
        const bytes = Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data as ArrayBuffer);
        if (format === 'cbor' && !isBinary) {
          ws.close(1003, 'binary CBOR frames only');
          return;
        }
        let frame: Uint8Array;
        try {
          frame = format === 'cbor' ? new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength) : bodyToCbor(bytes, 'json');
        } catch (err) {
          frames.send(errorResponse(undefined, -32700, `Parse error: ${(err as Error).message}`, 'Parse'));
          return;
        }
        void connection.handle(frame);
      });
      ws.on('error', () => ws.terminate());
      ws.on('close', () => {
        sockets.delete(ws);
        void connection.release().finally(() => connections.delete(connection));
      });
    });
  });

  try {
    await listen(http, host, options.port ?? 0);
  } catch (err) {
    await engine.close();
    throw new SurrealServerStartError(`cannot listen on ${host}:${options.port ?? 0}: ${(err as Error).message}`, { cause: err });
  }
  const port = (http.address() as AddressInfo).port;

  let finished: Promise<void> | undefined;
  const shutdown = (graceful: boolean): Promise<void> => {
    finished ??= (async () => {
      closing = true;
      const httpClosed = new Promise<void>((resolve) => http.close(() => resolve()));
      if (graceful) {
        // Answer what is in flight first (sockets still open), then say goodbye with 1001.
        const deadline = Date.now() + (options.drainTimeoutMs ?? 5000);
        while (([...connections].some((c) => c.inFlight > 0) || httpRequests.size > 0) && Date.now() < deadline) await delay(20);
        for (const ws of sockets) ws.close(1001, 'server shutting down');
        await Promise.all([...connections].map((c) => c.release()));
      }
      for (const ws of sockets) ws.terminate();
      http.closeAllConnections();
      wss.close();
      // Even destroy() waits briefly for calls inside the engine: freeing under one aborts the process.
      await engine.close(graceful ? (options.drainTimeoutMs ?? 5000) : NATIVE_CALL_GRACE_MS); // releases the LOCK
      await httpClosed;
    })();
    return finished;
  };

  return {
    url: `ws://${formatHost(host)}:${port}/rpc`,
    host,
    port,
    datastore,
    close: () => shutdown(true),
    destroy: () => shutdown(false),
  };
}

/**
 * The WebSocket format for the offered subprotocols: `cbor` (what the SDKs use) first, then
 * `json`; a client that offers none gets JSON, as from `surreal start`. Undefined: refuse (400).
 */
function wsFormat(offered: string[]): BodyFormat | undefined {
  if (offered.includes('cbor')) return 'cbor';
  if (offered.includes('json') || offered.length === 0) return 'json';
  return undefined;
}

async function defineRootUser(engine: EngineHost, user: string, pass: string): Promise<void> {
  // OVERWRITE so that restarting with a new password takes effect, as `surreal start --pass` does.
  // PASSWORD takes a string literal, not a parameter; a JSON string is a valid SurrealQL string.
  const define = `DEFINE USER OVERWRITE ${quoteIdent(user)} ON ROOT PASSWORD ${JSON.stringify(pass)} ROLES OWNER`;
  const request = encode({ id: 'root', method: 'query', params: [define] });
  const answer = decode(await engine.execute(request)) as { error?: { message?: string } } | Array<{ status: string; result: unknown }> | null;
  const failure = Array.isArray(answer) ? answer.find((r) => r.status !== 'OK')?.result : answer?.error?.message;
  if (failure !== undefined) {
    throw new SurrealServerStartError(`cannot define root user ${user}: ${typeof failure === 'string' ? failure : JSON.stringify(failure)}`);
  }
}

function quoteIdent(name: string): string {
  return '`' + name.replaceAll('`', '\\`') + '`';
}

function listen(server: Server, host: string, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
}

function formatHost(host: string): string {
  return host.includes(':') ? `[${host}]` : host;
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
