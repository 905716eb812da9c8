import { lookup as dnsLookup } from 'node:dns';
import { connect, createServer, type AddressInfo, type LookupFunction, type Server, type Socket } from 'node:net';
import { AddressError, joinHostPort, resolveHost, resolveListen, splitHostPort } from './address.ts';
import { ToxiproxyApiError } from './errors.ts';
import type { LinkEnds } from './link.ts';
import type { Random } from './random.ts';
import { toxicJson, ToxicCollection } from './toxic-collection.ts';

/** Go's wording for the bind errors a client may see in a 500 answer. */
const BIND_ERRORS: Record<string, string> = {
  EADDRINUSE: 'bind: address already in use',
  EACCES: 'bind: permission denied',
  EADDRNOTAVAIL: 'bind: cannot assign requested address',
};

/** Resolves upstream host names IPv4 first, as Go's dialer effectively does for `localhost`. */
const ipv4FirstLookup: LookupFunction = (hostname, options, callback) => dnsLookup(hostname, { ...options, verbatim: false }, callback);

/** The fields of a proxy a create, update or populate request supplies. */
export interface ProxyInput {
  name: string;
  listen: string;
  upstream: string;
  enabled: boolean;
}

/**
 * One proxy: a TCP listener on `listen` that forwards each accepted connection to `upstream` through
 * the proxy's toxics. `listen` is replaced by the bound address once started, so disable + enable
 * rebinds the same port. Stopping closes the listener and every open connection at once.
 */
export class ToxiProxy {
  listen: string;
  upstream: string;
  enabled = false;
  readonly toxics: ToxicCollection;
  private server: Server | null = null;
  private readonly sockets = new Set<() => void>();

  constructor(
    readonly name: string,
    listen: string,
    upstream: string,
    random: Random,
  ) {
    this.listen = listen;
    this.upstream = upstream;
    this.toxics = new ToxicCollection(random);
  }

  /** The proxy object in Toxiproxy's key order (including the accidental `"Logger":{}` of Go). */
  toJSON(): Record<string, unknown> {
    return {
      name: this.name,
      listen: this.listen,
      upstream: this.upstream,
      enabled: this.enabled,
      Logger: {},
      toxics: this.toxics.list().map(toxicJson),
    };
  }

  /** Binds the listener; throws a 500 ToxiproxyApiError with Go's text when it cannot. */
  async start(): Promise<void> {
    if (this.enabled) return;
    let host: string;
    let port: number;
    try {
      ({ host, port } = splitHostPort(this.listen));
      host = await resolveHost(host);
    } catch (err) {
      if (err instanceof AddressError) throw new ToxiproxyApiError(`listen tcp: ${err.message}`, 500);
      throw err;
    }
    // TCP_NODELAY on both legs, as Go sets by default for the real Toxiproxy: with Nagle on, a
    // relayed small write waits for the peer's delayed ACK (~40 ms on Linux) — a latency no toxic asked for.
    const server = createServer({ allowHalfOpen: true, pauseOnConnect: true, noDelay: true }, (client) => this.accept(client));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      // Go binds the wildcard dual-stack; Node's '::' does the same (falls back to IPv4 below).
      server.listen({ host: host === '' ? undefined : host, port, exclusive: true }, () => resolve());
    }).catch((err: unknown) => {
      const code = err instanceof Error && 'code' in err && typeof err.code === 'string' ? err.code : '';
      const text = BIND_ERRORS[code] ?? (err instanceof Error ? err.message : String(err));
      throw new ToxiproxyApiError(`listen tcp ${joinHostPort(host, port)}: ${text}`, 500);
    });
    server.on('error', () => {});
    const address = server.address() as AddressInfo;
    this.server = server;
    this.listen = joinHostPort(address.address, address.port);
    this.enabled = true;
  }

  /** Closes the listener and every connection (client and upstream sockets). Idempotent. */
  stop(): void {
    if (!this.enabled) return;
    this.enabled = false;
    this.server?.close();
    this.server = null;
    for (const destroy of [...this.sockets]) destroy();
  }

  /** Go's Proxy.Differs: the resolved listen or the upstream changed. */
  async differs(input: ProxyInput): Promise<boolean> {
    let resolved: string;
    try {
      resolved = await resolveListen(input.listen);
    } catch (err) {
      if (err instanceof AddressError) throw new ToxiproxyApiError(err.message, 500);
      throw err;
    }
    return resolved !== this.listen || input.upstream !== this.upstream;
  }

  /** Go's Proxy.Update: restart on a different listen/upstream, then start or stop per `enabled`. */
  async update(input: ProxyInput): Promise<void> {
    if (await this.differs(input)) {
      this.stop();
      this.listen = input.listen;
      this.upstream = input.upstream;
    }
    if (input.enabled !== this.enabled) {
      if (input.enabled) await this.start();
      else this.stop();
    }
  }

  private accept(client: Socket): void {
    client.on('error', () => {});
    const reset = this.toxics.hasResetPeer();
    let upstream: Socket | null = null;
    const close = (socket: Socket): void => {
      if (socket.destroyed) return;
      if (reset && !socket.connecting) socket.resetAndDestroy();
      else socket.destroy();
    };
    const destroyAll = (): void => {
      close(client);
      if (upstream) close(upstream);
    };
    this.sockets.add(destroyAll);
    let disposeLinks = (): void => {};
    let open = 1;
    const onClose = (): void => {
      if (--open > 0) return;
      this.sockets.delete(destroyAll);
      disposeLinks();
    };
    client.once('close', onClose);
    let target: { host: string; port: number };
    try {
      target = splitHostPort(this.upstream);
    } catch {
      return void client.destroy();
    }
    // Dial after accept; on failure the client sees EOF, like Toxiproxy (Shopify/toxiproxy#265).
    upstream = connect({ host: target.host || 'localhost', port: target.port, allowHalfOpen: true, noDelay: true, lookup: ipv4FirstLookup });
    open++;
    upstream.pause();
    upstream.once('close', onClose);
    upstream.on('error', () => {});
    let connected = false;
    upstream.once('error', () => {
      if (!connected) client.destroy();
    });
    upstream.once('connect', () => {
      connected = true;
      const server = upstream;
      if (client.destroyed) return void server.destroy();
      const closeDest = (dest: Socket) => () => {
        if (reset) close(dest);
        else dest.destroySoon();
      };
      const upEnds: LinkEnds = { source: client, dest: server, closeDest: closeDest(server) };
      const downEnds: LinkEnds = { source: server, dest: client, closeDest: closeDest(client) };
      disposeLinks = this.toxics.startLinks(upEnds, downEnds);
    });
  }
}
