/**
 * Options of openEventStore(): `EventStoreOptions` → resolveEventStoreOptions() → a frozen
 * `ResolvedEventStoreOptions`. Defaults live in one object, units in the names.
 */
import { resolve } from 'node:path';
import { EventStoreConfigError } from './errors.ts';
import { isEmbeddedUrl } from './connection.ts';
import { MAX_BULK_BATCH } from './schema.ts';
import { embeddedDir, embeddedUrlFor, ROCKSDB_BULK_BATCH } from './engine.ts';

export interface EventStoreOptions {
  /**
   * Directory of the embedded database. Exclusive with `url`. A new directory opens as rocksdb; one
   * surrealkv already wrote stays surrealkv (engine.ts, README.md "Engine").
   */
  dataDir?: string;
  /** Any SurrealDB URL instead: `ws://host:port/rpc` (remote), `mem://` (tests), `surrealkv://dir`, `rocksdb://dir`. */
  url?: string;
  /** @default "oya" */
  namespace?: string;
  /** @default "oya" */
  database?: string;
  /** Root credentials for a remote server started with --user/--pass. */
  auth?: { username: string; password: string };
  /**
   * The durable outbox file. Default: `<dataDir>.outbox.jsonl` for dataDir, none for mem://
   * (memory-only outbox). Required for remote URLs.
   */
  outboxPath?: string;
  /** Timeout of each DB call, ms. @default 5000 */
  timeoutMs?: number;
  /** Timeout of one connect attempt (incl. schema set-up), ms. @default 5000 */
  connectTimeoutMs?: number;
  /** Watchdog period: ping, reconnect, flush the outbox, ms. @default 1000 */
  pingIntervalMs?: number;
  /** A ping without a reply within this is a half-open connection, ms. @default 2000 */
  pingTimeoutMs?: number;
  /** Entries of the idempotency LRU. @default 10000 */
  idempotencyCacheSize?: number;
  /**
   * Streams whose last seq the writer keeps in memory (LRU); a stream not in it costs one refused
   * bulk transaction and a head lookup when it is next written. At least MAX_BULK_BATCH. @default 100000
   */
  streamHeadCacheSize?: number;
  /** Clock for `at` stamps (tests inject one). @default () => new Date() */
  now?: () => Date;
  /**
   * TEST-ONLY (the runtime's `seq-gap` / `position-gap` defects, harness self-check): the bulk path
   * numbers one StepCheckpointed of step >= 2 one seq (or one global position) too high, leaving a
   * hole the UNIQUE indexes do not refuse. Never set outside the self-check. @default undefined
   */
  testGap?: 'seq' | 'position';
}

export interface ResolvedEventStoreOptions {
  readonly url: string;
  readonly namespace: string;
  readonly database: string;
  readonly auth: { username: string; password: string } | undefined;
  readonly outboxPath: string | null;
  readonly timeoutMs: number;
  readonly connectTimeoutMs: number;
  readonly pingIntervalMs: number;
  readonly pingTimeoutMs: number;
  readonly idempotencyCacheSize: number;
  readonly streamHeadCacheSize: number;
  readonly now: () => Date;
  readonly testGap: 'seq' | 'position' | undefined;
  /**
   * Most appends per bulk transaction: MAX_BULK_BATCH on an embedded surrealkv or mem:// store, ROCKSDB_BULK_BATCH otherwise —
   * rocksdb, and a remote server, whose engine we cannot see (ours stores on rocksdb; on surrealkv 64 per commit was
   * faster per event than 512 in the paired measurement too).
   */
  readonly maxBulkBatch: number;
  /**
   * The high-water mark file (mark.ts): `<dir>.mark` next to an embedded file engine's directory,
   * null for mem:// and remote databases.
   */
  readonly markPath: string | null;
}

const DEFAULTS = {
  namespace: 'oya',
  database: 'oya',
  timeoutMs: 5_000,
  connectTimeoutMs: 5_000,
  pingIntervalMs: 1_000,
  pingTimeoutMs: 2_000,
  idempotencyCacheSize: 10_000,
  streamHeadCacheSize: 100_000,
} as const;

function positiveInt(field: string, value: number | undefined, fallback: number, min = 1): number {
  const v = value ?? fallback;
  if (!Number.isInteger(v) || v < min) throw new EventStoreConfigError(field, `must be an integer >= ${min}, got ${value}`);
  return v;
}

/** Validates and fills in defaults; throws ORCH_EVENT_STORE_CONFIG_INVALID naming the field. */
export function resolveEventStoreOptions(options: EventStoreOptions): ResolvedEventStoreOptions {
  if ((options.dataDir === undefined) === (options.url === undefined)) {
    throw new EventStoreConfigError('dataDir/url', 'give exactly one of dataDir (embedded database) or url');
  }
  const url = options.dataDir !== undefined ? embeddedUrlFor(resolve(options.dataDir)) : options.url!;
  if (!/^(mem|surrealkv|rocksdb|ws|wss):\/\//.test(url)) {
    throw new EventStoreConfigError('url', `unsupported scheme in ${JSON.stringify(url)} (mem, surrealkv, rocksdb, ws, wss)`);
  }
  let outboxPath: string | null = options.outboxPath ?? null;
  if (outboxPath === null && options.dataDir !== undefined) outboxPath = `${resolve(options.dataDir)}.outbox.jsonl`;
  if (outboxPath === null && !isEmbeddedUrl(url)) {
    throw new EventStoreConfigError('outboxPath', 'a remote database needs a local outbox file');
  }
  return Object.freeze({
    url,
    namespace: options.namespace ?? DEFAULTS.namespace,
    database: options.database ?? DEFAULTS.database,
    auth: options.auth,
    outboxPath,
    timeoutMs: positiveInt('timeoutMs', options.timeoutMs, DEFAULTS.timeoutMs),
    connectTimeoutMs: positiveInt('connectTimeoutMs', options.connectTimeoutMs, DEFAULTS.connectTimeoutMs),
    pingIntervalMs: positiveInt('pingIntervalMs', options.pingIntervalMs, DEFAULTS.pingIntervalMs),
    pingTimeoutMs: positiveInt('pingTimeoutMs', options.pingTimeoutMs, DEFAULTS.pingTimeoutMs),
    idempotencyCacheSize: positiveInt('idempotencyCacheSize', options.idempotencyCacheSize, DEFAULTS.idempotencyCacheSize, 0),
    // A batch's streams must all fit, or numbering it after a head load could evict one of them.
    streamHeadCacheSize: positiveInt('streamHeadCacheSize', options.streamHeadCacheSize, DEFAULTS.streamHeadCacheSize, MAX_BULK_BATCH),
    now: options.now ?? (() => new Date()),
    testGap: options.testGap,
    maxBulkBatch: /^(surrealkv(\+versioned)?|mem):\/\//.test(url) ? MAX_BULK_BATCH : ROCKSDB_BULK_BATCH,
    markPath: markPathFor(url),
  });
}

/** `<dir>.mark` for an embedded file engine: outside the engine's directory, which is the engine's alone. */
function markPathFor(url: string): string | null {
  const dir = embeddedDir(url);
  return dir === undefined ? null : `${resolve(dir.replace(/\/+$/, ''))}.mark`;
}
