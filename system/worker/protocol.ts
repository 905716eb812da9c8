/**
 * The wire contract between the orchestrator and a worker process.
 *
 * Two channels:
 * - HTTP + SSE, shaped like `opencode serve` (see routes in server.ts). SSE frames are
 *   `data: {"type": ..., "properties": {...}}` lines, as opencode sends them.
 * - IPC (`process.send`) from the worker to its parent: `ready` once listening, then a `heartbeat`
 *   every WORKER_HEARTBEAT_INTERVAL_MS with the session's progress.
 */
import type { AgentCheckpoint, AgentResult } from '../agent/simulated.ts';
import type { AgentFailure } from '../agent/errors.ts';

/** Worker → parent heartbeat period. The pool declares a worker dead after 3 s without one. */
export const WORKER_HEARTBEAT_INTERVAL_MS = 500;
/** SSE keep-alive period; a client stream silent for 3 of these is treated as broken. */
export const SSE_HEARTBEAT_INTERVAL_MS = 1000;

/**
 * A session's state:
 * - `idle`: created, or its last run finished (see `result`/`error`).
 * - `busy`: a run is in progress.
 */
export type SessionStatus = 'idle' | 'busy';

/** `GET /session/:id` body. */
export interface SessionInfo {
  id: string;
  status: SessionStatus;
  beadId?: string;
  attempt?: number;
  /** Last finished step of the current/last run (the checkpoint step). */
  step: number;
  /** Steps the run has in total. */
  steps?: number;
  result?: AgentResult;
  error?: AgentFailure;
}

/** `POST /session/:id/prompt_async` body. */
export interface PromptBody {
  beadId: string;
  /** The simulated agent input (see system/agent/input.ts). */
  input: unknown;
  seed: number | string;
  /** 1-based attempt number. @default 1 */
  attempt?: number;
  fromCheckpoint?: AgentCheckpoint;
}

/** Events on `GET /event`. `sessionID` names the session an event belongs to. */
export type WorkerEvent =
  | { type: 'server.connected'; properties: { workerId: string; pid: number } }
  | { type: 'server.heartbeat'; properties: { at: number } }
  | { type: 'session.status'; properties: { sessionID: string; status: SessionStatus } }
  | { type: 'step.started'; properties: { sessionID: string; beadId: string; step: number; attempt: number } }
  | { type: 'checkpoint'; properties: { sessionID: string; beadId: string; step: number; state: string } }
  | { type: 'session.idle'; properties: { sessionID: string; beadId?: string; result?: AgentResult } }
  | { type: 'session.error'; properties: { sessionID: string; beadId: string; error: AgentFailure } };

/** The `type` of any worker event. */
export type WorkerEventType = WorkerEvent['type'];

/** Progress of the worker's busy session, carried by each heartbeat. */
export interface SessionProgress {
  sessionID: string;
  beadId: string;
  attempt: number;
  step: number;
  steps: number;
}

/** Worker → parent IPC messages, branded by `kind`. */
export type WorkerToParentMessage =
  | { kind: 'oya.worker.ready'; workerId: string; pid: number; port: number }
  | { kind: 'oya.worker.heartbeat'; workerId: string; pid: number; at: number; sessions: SessionProgress[] };

/** True when an IPC message is one of ours (the channel may carry others). */
export function isWorkerMessage(message: unknown): message is WorkerToParentMessage {
  const kind = (message as { kind?: unknown } | null)?.kind;
  return kind === 'oya.worker.ready' || kind === 'oya.worker.heartbeat';
}

/** Environment variables a worker process reads. */
export const WORKER_ENV = {
  /** The worker's id (for events and heartbeats). */
  id: 'OYA_WORKER_ID',
  /** Directory of the side-effect JSONL files. Required. */
  sideEffectsDir: 'OYA_SIDE_EFFECTS_DIR',
  /** The pid of the process that forked the worker: the worker leaves as soon as its parent is another. */
  parentPid: 'OYA_WORKER_PARENT_PID',
  /** TEST ONLY: "1" makes the worker ignore SIGTERM, to prove stop() escalates to SIGKILL. */
  ignoreSigterm: 'OYA_WORKER_TEST_IGNORE_SIGTERM',
  /** TEST ONLY: "1" stops IPC heartbeats (process stays up), to prove missed-heartbeat detection. */
  muteHeartbeats: 'OYA_WORKER_TEST_MUTE_HEARTBEATS',
  /** TEST ONLY: "1" makes the worker exit with WORKER_CRASH_EXIT_CODE right after start. */
  crashOnStart: 'OYA_WORKER_TEST_CRASH_ON_START',
} as const;

/** Exit code of a worker whose agent crashed on purpose (`crashAt`) — a hard exit, no cleanup. */
export const WORKER_CRASH_EXIT_CODE = 86;
/** Exit code of a worker that left because its parent died (orphan prevention). */
export const WORKER_ORPHAN_EXIT_CODE = 87;
