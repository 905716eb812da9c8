/**
 * Worker processes and the orchestrator's view of them. Contents:
 * - process.ts  startWorker(): one worker process (spawn, ready, heartbeats, exit, stop/destroy)
 * - pool.ts     startWorkerPool(): N warm workers, leases, respawn with backoff, heartbeat watchdog
 * - client.ts   WorkerClient: HTTP + SSE calls to a worker (undici)
 * - protocol.ts the wire contract (events, IPC messages, env flags, exit codes)
 * - main.ts     the worker process entry (not exported: it runs on import)
 */
export { startWorker, WORKER_KILL_GRACE_MS, WORKER_START_TIMEOUT_MS } from './process.ts';
export type { StartWorkerOptions, WorkerExit, WorkerHandle, WorkerHandleEvents } from './process.ts';
export { startWorkerPool, WorkerPool } from './pool.ts';
export type { PoolStats, WorkerDeathReason, WorkerPoolEvents, WorkerPoolOptions } from './pool.ts';
export { WorkerClient } from './client.ts';
export type { EventSubscription, SessionOutcome, WorkerClientOptions } from './client.ts';
export { backoffDelay, DEFAULT_BACKOFF } from './backoff.ts';
export type { BackoffOptions } from './backoff.ts';
export * from './protocol.ts';
export * from './errors.ts';
