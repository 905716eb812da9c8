import { readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { createRequestListener, createRoutes } from './api.ts';
import { joinHostPort } from './address.ts';
import { ToxiproxyConfigError, ToxiproxyListenError } from './errors.ts';
import { parseFirstJsonValue } from './json.ts';
import { decodeProxyInput, PopulateError, ProxyCollection } from './proxy-collection.ts';
import { createRandom } from './random.ts';

/** How long close() lets in-flight API requests finish before cutting their connections. */
const CLOSE_GRACE_MS = 2_000;

/** Options of the embedded Toxiproxy-compatible server. */
export interface ToxiproxyServerOptions {
  /** API host. @default '127.0.0.1' (the real server defaults to localhost) */
  host?: string;
  /** API port; 0 picks a free one. @default 0 */
  port?: number;
  /** Seed for jitter, toxicity and slicer randomness, so a run replays. @default random */
  seed?: number;
  /** A JSON file with the same array as POST /populate, applied before the API answers. */
  configFile?: string;
}

/** A running embedded Toxiproxy server. */
export interface ToxiproxyServerHandle {
  /** `http://host:port`, ready for `new Toxiproxy(url)` from toxiproxy-node-client. */
  readonly url: string;
  readonly host: string;
  readonly port: number;
  /** Stops the API (lets in-flight requests finish) and every proxy and connection. Idempotent. */
  close(): Promise<void>;
  /** Stops everything at once, in-flight API requests included. Idempotent. */
  destroy(): void;
}

/**
 * Starts a server speaking Toxiproxy 2.12's HTTP API with its TCP data plane and every toxic.
 *
 * @example
 * const tp = await startToxiproxyServer({ seed: 7 });
 * const proxy = await new Toxiproxy(tp.url).createProxy({ name: 'db', listen: '127.0.0.1:0', upstream: '127.0.0.1:8000' });
 * await tp.close();
 */
export async function startToxiproxyServer(options: ToxiproxyServerOptions = {}): Promise<ToxiproxyServerHandle> {
  const host = options.host ?? '127.0.0.1';
  const proxies = new ProxyCollection(createRandom(options.seed));
  if (options.configFile !== undefined) await populateFromFile(proxies, options.configFile);

  const server: Server = createServer({ keepAliveTimeout: 60_000, requestTimeout: 30_000 }, createRequestListener(createRoutes(proxies)));
  const sockets = new Set<Socket>();
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen({ host, port: options.port ?? 0 }, () => resolve());
    });
  } catch (err) {
    proxies.stopAll();
    const port = options.port ?? 0;
    throw new ToxiproxyListenError(`toxiproxy API cannot listen on ${joinHostPort(host, port)}: ${(err as Error).message}`, { host, port }, err);
  }
  const port = (server.address() as AddressInfo).port;

  let closing: Promise<void> | undefined;
  const handle: ToxiproxyServerHandle = {
    url: `http://${joinHostPort(host, port)}`,
    host,
    port,
    close() {
      closing ??= new Promise<void>((resolve) => {
        proxies.stopAll();
        server.close(() => resolve());
        server.closeIdleConnections();
        // A keep-alive client that never goes idle must not hold shutdown open for long.
        setTimeout(() => server.closeAllConnections(), CLOSE_GRACE_MS).unref();
      });
      return closing;
    },
    destroy() {
      void handle.close();
      server.closeAllConnections();
      for (const socket of sockets) socket.destroy();
    },
  };
  return handle;
}

async function populateFromFile(proxies: ProxyCollection, file: string): Promise<void> {
  try {
    const value = parseFirstJsonValue(await readFile(file, 'utf8'));
    if (value.kind !== 'array') throw new Error('the file must hold a JSON array of proxies');
    await proxies.populate(value.items.map((item) => decodeProxyInput(item, { name: '', listen: '', upstream: '', enabled: true })));
  } catch (err) {
    proxies.stopAll();
    const message = err instanceof PopulateError ? err.error.message : (err as Error).message;
    throw new ToxiproxyConfigError(`toxiproxy config ${file}: ${message}`, { file }, err);
  }
}
