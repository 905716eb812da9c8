/**
 * Orchestrator configuration: `OrchestratorOptions` (what a caller or the CLI gives) →
 * `resolveOrchestratorOptions()` → a deep-frozen `ResolvedOrchestratorOptions` (validated once,
 * defaults filled in, paths absolute). Nothing downstream re-validates or mutates it.
 *
 * Precedence: explicit option > environment variable (OYA_*) > default.
 */
import { randomBytes } from 'node:crypto';
import { resolve } from 'node:path';
import { z } from 'zod';
import { OyaError } from '../errors.ts';

import { DEFECTS, type Defect } from '../defects.ts';

export { DEFECTS, type Defect } from '../defects.ts';

const optionsSchema = z
  .object({
    /** API bind address. @default "127.0.0.1" (loopback unless told otherwise) */
    host: z.string().min(1).default('127.0.0.1'),
    /** API port; 0 picks a free one. @default 8080 */
    port: z.number().int().min(0).max(65535).default(8080),
    /** Warm worker processes. @default 20 */
    workers: z.number().int().min(1).max(512).default(20),
    /** Where the embedded database, the outbox and the side-effect records live. @default "./data" */
    dataDir: z.string().min(1).default('./data'),
    /** A remote SurrealDB (`ws://host:port` or `ws://host:port/rpc`); unset = embedded in dataDir (rocksdb for a new directory, system/events/engine.ts). */
    db: z
      .string()
      .regex(/^wss?:\/\/[^/\s]+(\/rpc)?\/?$/, 'must look like ws://host:port or ws://host:port/rpc')
      .optional(),
    /** Root credentials for a remote SurrealDB that requires sign-in (both or neither). */
    dbUser: z.string().min(1).optional(),
    dbPass: z.string().optional(),
    namespace: z.string().min(1).default('oya'),
    database: z.string().min(1).default('oya'),
    /** Serve /admin/* (chaos hooks). @default false */
    admin: z.boolean().default(false),
    /** Bearer token for /admin/*; generated when admin is on and none is given. */
    adminToken: z.string().min(16, 'must be at least 16 characters').optional(),
    /** Reconciliation tick in ms. @default 1000 */
    reconcileTickMs: z.number().int().min(10).max(60_000).default(1000),
    /** A worker with no heartbeat for this long (ms) is declared dead. @default 3000 */
    heartbeatTimeoutMs: z.number().int().min(100).default(3000),
    /** Every DB call is bounded by this (ms); past it the outbox takes the write. @default 2000 */
    dbTimeoutMs: z.number().int().min(10).default(2000),
    /**
     * Bound of opening the EMBEDDED database at start-up (ms; a remote one keeps the store's own
     * short bound and starts "down" if it does not answer). An embedded store's open time grows with its
     * size (measured: over 5 s for ~300,000 events on a busy 2-core machine). @default 30000
     */
    dbConnectTimeoutMs: z.number().int().min(100).default(30_000),
    /** Hard bound on graceful shutdown (ms). @default 30000 */
    shutdownTimeoutMs: z.number().int().min(100).default(30_000),
    /** Largest accepted request body in bytes. @default 1 MiB */
    bodyLimitBytes: z
      .number()
      .int()
      .min(1024)
      .default(1024 * 1024),
    /**
     * A finished bead (or workflow) leaves memory this long after its outcome is durable; the API
     * then reads it back from the log. @default 60000 (ms)
     */
    retainFinishedMs: z.number().int().min(0).max(86_400_000).default(60_000),
    /** At most this many finished beads are held in memory; past it the oldest leave at once. @default 10000 */
    retainFinishedBeads: z.number().int().min(0).default(10_000),
    /** Reserved: each bead's own `maxAttempts` (default 3, set by the API schema) decides its retries. @default 3 */
    maxAttempts: z.number().int().min(1).max(100).default(3),
    /** Seed for the simulated agent and every random choice the orchestrator makes. @default 1 */
    seed: z.number().int().default(1),
    logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    /**
     * Toxiproxy API (`http://host:port`) through which to reach every worker: a proxy
     * `agent-<workerId>` is created per worker (chaos: agent.partition). Unset = direct.
     */
    workerProxyUrl: z
      .string()
      .regex(/^https?:\/\/[^/\s]+\/?$/, 'must look like http://host:port')
      .optional(),
    /** Test-only defects (harness self-check). Never set in production. */
    defects: z.array(z.enum(DEFECTS)).default([]),
  })
  .strict();

export type OrchestratorOptions = z.input<typeof optionsSchema>;
export type ResolvedOrchestratorOptions = Readonly<
  Omit<z.output<typeof optionsSchema>, 'defects'> & { adminToken: string | undefined; defects: readonly Defect[]; dbUrl: string | undefined }
>;

/** Bad configuration (a flag, an environment variable, an option): names the field. */
export class ConfigInvalidError extends OyaError {
  constructor(issues: { field: string; message: string }[]) {
    super('ORCH_CONFIG_INVALID', `invalid configuration: ${issues.map((i) => `${i.field}: ${i.message}`).join('; ')}`, {
      details: { issues },
    });
  }
}

const ENV: Record<string, keyof OrchestratorOptions> = {
  OYA_HOST: 'host',
  OYA_PORT: 'port',
  OYA_WORKERS: 'workers',
  OYA_DATA_DIR: 'dataDir',
  OYA_DB: 'db',
  OYA_DB_USER: 'dbUser',
  OYA_DB_PASS: 'dbPass',
  OYA_ADMIN_TOKEN: 'adminToken',
  OYA_RECONCILE_TICK_MS: 'reconcileTickMs',
  OYA_LOG_LEVEL: 'logLevel',
  OYA_SEED: 'seed',
  OYA_DEFECTS: 'defects',
  OYA_ADMIN: 'admin',
  OYA_HEARTBEAT_TIMEOUT_MS: 'heartbeatTimeoutMs',
  OYA_DB_TIMEOUT_MS: 'dbTimeoutMs',
  OYA_SHUTDOWN_TIMEOUT_MS: 'shutdownTimeoutMs',
  OYA_WORKER_PROXY: 'workerProxyUrl',
  OYA_DB_CONNECT_TIMEOUT_MS: 'dbConnectTimeoutMs',
  OYA_RETAIN_FINISHED_MS: 'retainFinishedMs',
  OYA_RETAIN_FINISHED_BEADS: 'retainFinishedBeads',
};
const NUMERIC = new Set<string>([
  'port',
  'workers',
  'reconcileTickMs',
  'seed',
  'heartbeatTimeoutMs',
  'dbTimeoutMs',
  'shutdownTimeoutMs',
  'retainFinishedMs',
  'retainFinishedBeads',
  'dbConnectTimeoutMs',
]);
const BOOLEAN = new Set<string>(['admin']);

/** Reads OYA_* variables into options (strings converted to the option's type). */
export function optionsFromEnv(env: NodeJS.ProcessEnv = process.env): OrchestratorOptions {
  const out: Record<string, unknown> = {};
  for (const [name, key] of Object.entries(ENV)) {
    const raw = env[name];
    if (raw === undefined || raw === '') continue;
    if (key === 'defects')
      out[key] = raw
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean);
    else if (BOOLEAN.has(key)) out[key] = raw === '1' || raw === 'true' ? true : raw === '0' || raw === 'false' ? false : raw;
    else out[key] = NUMERIC.has(key) ? (/^-?\d+$/.test(raw) ? Number(raw) : raw) : raw;
  }
  return out;
}

/** Validates once, fills defaults, freezes. Throws ConfigInvalidError naming every bad field. */
export function resolveOrchestratorOptions(options: OrchestratorOptions = {}, env: NodeJS.ProcessEnv = process.env): ResolvedOrchestratorOptions {
  const merged = { ...optionsFromEnv(env), ...stripUndefined(options) };
  const parsed = optionsSchema.safeParse(merged);
  if (!parsed.success) {
    throw new ConfigInvalidError(parsed.error.issues.map((i) => ({ field: i.path.join('.') || '(options)', message: i.message })));
  }
  const o = parsed.data;
  const dbUrl = o.db === undefined ? undefined : o.db.replace(/\/?$/, '').replace(/(?<!\/rpc)$/, '/rpc');
  return Object.freeze({
    ...o,
    dataDir: resolve(o.dataDir),
    adminToken: o.admin ? (o.adminToken ?? randomBytes(24).toString('hex')) : o.adminToken,
    defects: Object.freeze([...o.defects]),
    dbUrl,
  });
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
