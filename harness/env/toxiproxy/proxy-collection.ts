import { resolveListen, AddressError } from './address.ts';
import { API_ERRORS, ToxiproxyApiError } from './errors.ts';
import { decodeStruct, GoJsonError, type JsonValue } from './json.ts';
import { ToxiProxy, type ProxyInput } from './proxy.ts';
import type { Random } from './random.ts';

const PROXY_FIELDS = { name: 'string', listen: 'string', upstream: 'string', enabled: 'bool' } as const;

/** Decodes one proxy object (create, update, populate entry) over `defaults`, as Go decodes a Proxy. */
export function decodeProxyInput(value: JsonValue, defaults: ProxyInput): ProxyInput {
  const target: Record<string, unknown> = { ...defaults };
  try {
    decodeStruct(value, 'toxiproxy.Proxy', PROXY_FIELDS, target);
  } catch (err) {
    throw err instanceof GoJsonError ? API_ERRORS.badBody(err.message) : err;
  }
  return target as unknown as ProxyInput;
}

/** The failure of a populate call: the error plus the proxies created or kept before it. */
export class PopulateError extends Error {
  constructor(
    readonly error: ToxiproxyApiError,
    readonly proxies: ToxiProxy[] | null,
  ) {
    super(error.message);
  }
}

/** All proxies by name (Go's ProxyCollection); every change is serialised. */
export class ProxyCollection {
  private readonly proxies = new Map<string, ToxiProxy>();
  private lock: Promise<unknown> = Promise.resolve();

  constructor(private readonly random: Random) {}

  /** Proxies sorted by name in byte order, as Go sorts map keys when marshalling. */
  sorted(): ToxiProxy[] {
    return [...this.proxies.values()].sort((a, b) => Buffer.compare(Buffer.from(a.name), Buffer.from(b.name)));
  }

  get(name: string): ToxiProxy {
    const proxy = this.proxies.get(name);
    if (!proxy) throw API_ERRORS.proxyNotFound();
    return proxy;
  }

  /** Adds a proxy, starting it when enabled; on a bind failure it is not added. */
  add(input: ProxyInput): Promise<ToxiProxy> {
    return this.serial(async () => {
      if (this.proxies.has(input.name)) throw API_ERRORS.proxyExists();
      const proxy = new ToxiProxy(input.name, input.listen, input.upstream, this.random);
      if (input.enabled) await proxy.start();
      this.proxies.set(input.name, proxy);
      return proxy;
    });
  }

  update(name: string, decode: (proxy: ToxiProxy) => ProxyInput): Promise<ToxiProxy> {
    return this.serial(async () => {
      const proxy = this.get(name);
      await proxy.update(decode(proxy));
      return proxy;
    });
  }

  remove(name: string): Promise<void> {
    return this.serial(async () => {
      const proxy = this.get(name);
      proxy.stop();
      this.proxies.delete(name);
      // Go discards the toxics with the proxy; removing them also runs the timeout cleanup.
      await proxy.toxics.reset();
    });
  }

  /**
   * POST /populate: validate every entry, then add or replace in order. An identical entry (same
   * resolved listen and upstream) keeps the existing proxy untouched. Not atomic: on a failure the
   * proxies handled so far stay, and are reported with the error.
   */
  populate(entries: ProxyInput[]): Promise<ToxiProxy[]> {
    return this.serial(async () => {
      entries.forEach((entry, i) => {
        if (entry.name === '') throw new PopulateError(API_ERRORS.missingField(`name at proxy ${i + 1}`), null);
        if (entry.upstream === '') throw new PopulateError(API_ERRORS.missingField(`upstream at proxy ${i + 1}`), null);
      });
      const done: ToxiProxy[] = [];
      for (const entry of entries) {
        try {
          done.push(await this.addOrReplace(entry));
        } catch (err) {
          if (err instanceof ToxiproxyApiError) throw new PopulateError(err, done.length ? done : null);
          throw err;
        }
      }
      return done;
    });
  }

  /** POST /reset: start every disabled proxy, then remove all toxics. Connections stay open. */
  reset(): Promise<void> {
    return this.serial(async () => {
      for (const proxy of this.proxies.values()) {
        await proxy.start();
        await proxy.toxics.reset();
      }
    });
  }

  /** Stops every proxy and closes every connection (server shutdown). */
  stopAll(): void {
    for (const proxy of this.proxies.values()) proxy.stop();
  }

  private async addOrReplace(input: ProxyInput): Promise<ToxiProxy> {
    const existing = this.proxies.get(input.name);
    if (existing) {
      let resolved: string;
      try {
        resolved = await resolveListen(input.listen);
      } catch (err) {
        if (err instanceof AddressError) throw new ToxiproxyApiError(err.message, 500);
        throw err;
      }
      if (resolved === existing.listen && input.upstream === existing.upstream) return existing;
      existing.stop();
      this.proxies.delete(input.name);
      await existing.toxics.reset();
    }
    const proxy = new ToxiProxy(input.name, input.listen, input.upstream, this.random);
    if (input.enabled) await proxy.start();
    this.proxies.set(input.name, proxy);
    return proxy;
  }

  private serial<T>(work: () => Promise<T>): Promise<T> {
    const result = this.lock.then(work);
    this.lock = result.catch(() => undefined);
    return result;
  }
}
