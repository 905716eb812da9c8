/**
 * One worker process, seen from the orchestrator: spawn it, learn its port, follow its
 * heartbeats, notice its death at once (the child's `exit` event), stop it politely or not.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { workerEntry } from './bundle.ts';
import { WorkerClient } from './client.ts';
import { WorkerExitedError, WorkerStartTimeoutError } from './errors.ts';
import { isWorkerMessage, WORKER_ENV, type WorkerToParentMessage } from './protocol.ts';

/**
 * How long stop() waits after SIGTERM before SIGKILL. 5 s is the orchestrator's documented
 * shutdown step ("stop = SIGTERM, 5 s, SIGKILL", system/runtime/shutdown.ts), after OTP's shutdown-timeout-then-kill
 * and the same named-grace pattern as vitest's forks pool (`forksWorker.ts`).
 */
export const WORKER_KILL_GRACE_MS = 5000;

/** How long a worker may take to report ready (2 busy cores are slow; a tsx worker compiles first). */
export const WORKER_START_TIMEOUT_MS = 20_000;

/** Keep the last few KB of a worker's stderr for error messages. */
const STDERR_TAIL_BYTES = 4096;

/** Options of startWorker. */
export interface StartWorkerOptions {
  id: string;
  /** Directory for the side-effect JSONL files (OYA_SIDE_EFFECTS_DIR). */
  sideEffectsDir: string;
  /** Extra environment for the worker (e.g. the TEST ONLY flags of protocol.ts WORKER_ENV). */
  env?: Record<string, string>;
  /** @default WORKER_START_TIMEOUT_MS */
  startTimeoutMs?: number;
  /** @default WORKER_KILL_GRACE_MS */
  killGraceMs?: number;
}

/** How a worker process ended. */
export interface WorkerExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** Events of a worker handle. */
export interface WorkerHandleEvents {
  heartbeat: [message: Extract<WorkerToParentMessage, { kind: 'oya.worker.heartbeat' }>];
  exit: [exit: WorkerExit];
}

/** A running worker process. */
export interface WorkerHandle {
  readonly id: string;
  readonly pid: number;
  readonly port: number;
  readonly url: string;
  readonly client: WorkerClient;
  readonly events: EventEmitter<WorkerHandleEvents>;
  /** False from the moment the process exited. */
  readonly alive: boolean;
  /** `performance.now()` of the last heartbeat (or of ready). */
  readonly lastHeartbeatAt: number;
  /** Resolves when the process exits, whoever ended it. */
  readonly exited: Promise<WorkerExit>;
  /** SIGTERM, then SIGKILL after the grace period; resolves on exit. Idempotent. */
  stop(): Promise<WorkerExit>;
  /** Same as stop() (the graceful close of the handle convention). */
  close(): Promise<WorkerExit>;
  /** SIGKILL now; resolves on exit. */
  destroy(): Promise<WorkerExit>;
}

/** Spawns a worker process and resolves once it listens. Rejects with ORCH_WORKER_START_TIMEOUT / ORCH_WORKER_EXITED. */
export async function startWorker(options: StartWorkerOptions): Promise<WorkerHandle> {
  const startTimeoutMs = options.startTimeoutMs ?? WORKER_START_TIMEOUT_MS;
  const killGraceMs = options.killGraceMs ?? WORKER_KILL_GRACE_MS;
  // Compiled JavaScript (bundle.ts), built before the first spawn if missing or stale.
  const entry = workerEntry();
  const child: ChildProcess = fork(entry.path, [], {
    execArgv: entry.execArgv,
    env: {
      ...process.env,
      ...options.env,
      [WORKER_ENV.id]: options.id,
      [WORKER_ENV.sideEffectsDir]: options.sideEffectsDir,
      [WORKER_ENV.parentPid]: String(process.pid),
    },
    stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
  });
  let stderrTail = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderrTail = (stderrTail + chunk.toString('utf8')).slice(-STDERR_TAIL_BYTES);
  });

  const events = new EventEmitter<WorkerHandleEvents>();
  let alive = true;
  let lastHeartbeatAt = performance.now();
  const exited = new Promise<WorkerExit>((resolve) => {
    child.once('exit', (code, signal) => {
      alive = false;
      const exit = { code, signal };
      resolve(exit);
      events.emit('exit', exit);
    });
  });

  const ready = await new Promise<Extract<WorkerToParentMessage, { kind: 'oya.worker.ready' }>>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new WorkerStartTimeoutError(options.id, startTimeoutMs));
    }, startTimeoutMs);
    child.on('message', function onReady(message: unknown) {
      if (isWorkerMessage(message) && message.kind === 'oya.worker.ready') {
        clearTimeout(timer);
        child.off('message', onReady);
        resolve(message);
      }
    });
    void exited.then(({ code, signal }) => {
      clearTimeout(timer);
      const err = new WorkerExitedError(options.id, code, signal);
      if (stderrTail) err.message += `\n${stderrTail}`;
      reject(err);
    });
  });

  lastHeartbeatAt = performance.now(); // ready is the first sign of life; start-up time is not silence
  child.on('message', (message: unknown) => {
    if (isWorkerMessage(message) && message.kind === 'oya.worker.heartbeat') {
      lastHeartbeatAt = performance.now();
      events.emit('heartbeat', message);
    }
  });
  // A dead worker's sockets are gone; drop the pool's so nothing waits on them.
  const url = `http://127.0.0.1:${ready.port}`;
  const client = new WorkerClient(url);
  void exited.then(() => client.destroy());

  let stopping: Promise<WorkerExit> | undefined;
  const destroy = (): Promise<WorkerExit> => {
    if (alive) child.kill('SIGKILL');
    return exited;
  };
  const stop = (): Promise<WorkerExit> => {
    stopping ??= (async () => {
      if (!alive) return exited;
      child.kill('SIGTERM');
      const escalate = setTimeout(() => child.kill('SIGKILL'), killGraceMs);
      try {
        return await exited;
      } finally {
        clearTimeout(escalate);
      }
    })();
    return stopping;
  };

  return {
    id: options.id,
    pid: child.pid!,
    port: ready.port,
    url,
    client,
    events,
    get alive() {
      return alive;
    },
    get lastHeartbeatAt() {
      return lastHeartbeatAt;
    },
    exited,
    stop,
    close: stop,
    destroy,
  };
}
