import { API_ERRORS } from './errors.ts';
import { decodeStruct, findField, GoJsonError, parseFirstJsonValue, type JsonValue } from './json.ts';
import { ToxicLink, type Direction, type LinkEnds } from './link.ts';
import type { Random } from './random.ts';
import type { InstalledToxic } from './stub.ts';
import { TOXIC_TYPES } from './toxics/index.ts';

/** A toxic as the API knows it: name, type, the stream text as sent, and its live settings. */
export interface ToxicEntry extends InstalledToxic {
  readonly name: string;
  readonly type: string;
  /** Echoed exactly as sent (`"UPSTREAM"` stays upper case); `direction` is the parsed value. */
  readonly stream: string;
  readonly direction: Direction;
}

/** The toxic object in Toxiproxy's key order: attributes, name, type, stream, toxicity. */
export function toxicJson(toxic: ToxicEntry): Record<string, unknown> {
  const attributes: Record<string, number> = {};
  for (const key of toxic.definition.attributes) attributes[key] = toxic.attributes[key] ?? 0;
  return { attributes, name: toxic.name, type: toxic.type, stream: toxic.stream, toxicity: toxic.toxicity };
}

/** Go's stream.ParseDirection: case-insensitive `upstream` / `downstream`. */
function parseDirection(stream: string): Direction {
  const lower = stream.toLowerCase();
  if (lower === 'upstream' || lower === 'downstream') return lower;
  throw API_ERRORS.invalidStream();
}

function parseBody(body: string): JsonValue {
  try {
    return parseFirstJsonValue(body);
  } catch (err) {
    throw API_ERRORS.badBody((err as Error).message);
  }
}

function decodeAttributes(value: JsonValue | undefined, entry: InstalledToxic, structName: string): void {
  if (value === undefined) return;
  const fields = Object.fromEntries(entry.definition.attributes.map((k) => [k, 'int64' as const]));
  try {
    decodeStruct(value, structName, fields, entry.attributes);
  } catch (err) {
    if (err instanceof GoJsonError) throw API_ERRORS.badBody(err.message);
    throw err;
  }
}

/**
 * The toxics of one proxy (Go's ToxicCollection): an upstream and a downstream chain, plus the live
 * links they are installed on. Every change is serialised and applied to each live link of its
 * direction before the API answers.
 */
export class ToxicCollection {
  private readonly chains: Record<Direction, ToxicEntry[]> = { upstream: [], downstream: [] };
  private readonly links: Record<Direction, Set<ToxicLink>> = { upstream: new Set(), downstream: new Set() };
  private lock: Promise<unknown> = Promise.resolve();

  constructor(private readonly random: Random) {}

  /** Upstream toxics first, then downstream, each in insertion order. */
  list(): ToxicEntry[] {
    return [...this.chains.upstream, ...this.chains.downstream];
  }

  get(name: string): ToxicEntry {
    const found = this.list().find((t) => t.name === name);
    if (!found) throw API_ERRORS.toxicNotFound();
    return found;
  }

  /** True when a reset_peer toxic is in either chain: new connections then close with RST. */
  hasResetPeer(): boolean {
    return this.list().some((t) => t.type === 'reset_peer');
  }

  /** POST /proxies/{p}/toxics, following AddToxicJson step by step. */
  add(body: string): Promise<ToxicEntry> {
    return this.serial(async () => {
      const value = parseBody(body);
      const head: Record<string, unknown> = { name: '', type: '', stream: 'downstream', toxicity: 1 };
      try {
        decodeStruct(value, 'toxics.ToxicWrapper', { name: 'string', type: 'string', stream: 'string', toxicity: 'float32' }, head);
      } catch (err) {
        throw err instanceof GoJsonError ? API_ERRORS.badBody(err.message) : err;
      }
      const stream = head['stream'] as string;
      const direction = parseDirection(stream);
      const type = head['type'] as string;
      const name = (head['name'] as string) || `${type}_${stream}`;
      const definition = TOXIC_TYPES.get(type);
      if (!definition) throw API_ERRORS.invalidToxicType();
      if (this.list().some((t) => t.name === name)) throw API_ERRORS.toxicExists();
      const entry: ToxicEntry = { name, type, stream, direction, definition, attributes: {}, toxicity: head['toxicity'] as number };
      for (const key of definition.attributes) entry.attributes[key] = 0;
      const attributes = findField(value, 'attributes');
      if (attributes && attributes.kind !== 'object' && attributes.kind !== 'null') {
        throw API_ERRORS.badBody(`json: cannot unmarshal ${attributes.kind} into Go struct field .attributes of type toxics.${type}`);
      }
      decodeAttributes(attributes, entry, type);
      this.chains[direction].push(entry);
      for (const link of [...this.links[direction]]) await link.addToxic(entry);
      return entry;
    });
  }

  /** POST/PATCH /proxies/{p}/toxics/{t}: a partial merge of attributes, toxicity only if given. */
  update(name: string, body: string): Promise<ToxicEntry> {
    return this.serial(async () => {
      const entry = this.get(name);
      const value = parseBody(body);
      let failure: { error: unknown } | undefined;
      try {
        decodeAttributes(findField(value, 'attributes'), entry, entry.type);
      } catch (err) {
        failure = { error: err };
      }
      const holder: Record<string, unknown> = { toxicity: entry.toxicity };
      try {
        decodeStruct(value, 'struct { Attributes interface {}; Toxicity float32 }', { toxicity: 'float32' }, holder);
      } catch (err) {
        failure ??= { error: err instanceof GoJsonError ? API_ERRORS.badBody(err.message) : err };
      }
      // Like Go, attributes merged before a type error stay merged, and the answer is still 400.
      if (failure) throw failure.error;
      entry.toxicity = holder['toxicity'] as number;
      for (const link of [...this.links[entry.direction]]) await link.updateToxic(entry);
      return entry;
    });
  }

  /** DELETE /proxies/{p}/toxics/{t}. Removing a timeout toxic closes the connections it was on. */
  remove(name: string): Promise<void> {
    return this.serial(() => this.removeEntry(this.get(name)));
  }

  /** Removes every toxic (POST /reset). */
  reset(): Promise<void> {
    return this.serial(async () => {
      for (const entry of this.list()) await this.removeEntry(entry);
    });
  }

  /**
   * Creates and starts both links of a new connection with the chains as they are now. Returns the
   * disposer to call once both sockets are closed.
   */
  startLinks(upstreamEnds: LinkEnds, downstreamEnds: LinkEnds): () => void {
    const up = new ToxicLink('upstream', this.chains.upstream, upstreamEnds, this.random);
    const down = new ToxicLink('downstream', this.chains.downstream, downstreamEnds, this.random);
    this.links.upstream.add(up);
    this.links.downstream.add(down);
    up.start();
    down.start();
    return () => {
      this.links.upstream.delete(up);
      this.links.downstream.delete(down);
      up.abort();
      down.abort();
    };
  }

  private async removeEntry(entry: ToxicEntry): Promise<void> {
    const chain = this.chains[entry.direction];
    chain.splice(chain.indexOf(entry), 1);
    for (const link of [...this.links[entry.direction]]) await link.removeToxic(entry, entry.type === 'timeout');
  }

  private serial<T>(work: () => Promise<T>): Promise<T> {
    const result = this.lock.then(work);
    this.lock = result.catch(() => undefined);
    return result;
  }
}
