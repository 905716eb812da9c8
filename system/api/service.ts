/**
 * The contract between the REST API and the orchestrator core it fronts.
 *
 * The API validates, authenticates, maps errors and speaks HTTP; everything with state lives
 * behind `BeadService` (the runtime wires the event store, scheduler and pool into one). The API
 * depends on nothing else in system/, so it can be tested against any honest implementation.
 *
 * Error contract: methods throw OyaErrors with stable codes; system/api/errors.ts maps them to
 * statuses (404 for an unknown id, 409 for a finished bead or a reused idempotency key with a
 * different body, 400 for DAG errors, 503 for retryable unavailability). A DB outage must NOT make
 * `submit` fail while the outbox still accepts: that decision is the service's.
 */
import type { SubmitRequest } from './schemas.ts';

export type { SubmitRequest } from './schemas.ts';

/** A bead as clients see it. `status` is the scheduler's status string (queued, running, …). */
export interface BeadView {
  id: string;
  title: string;
  status: string;
  priority: number;
  workflowId?: string;
  dependsOn: string[];
  attempts: number;
  createdAt: string;
  updatedAt: string;
  /** Present once the bead succeeded. */
  result?: unknown;
  /** Present once the bead failed: the failure's code and message. */
  error?: { code: string; message: string };
  [extra: string]: unknown;
}

/** Options the API passes to `submit`. */
export interface SubmitOptions {
  /**
   * The effective idempotency key: the `Idempotency-Key` header, else `bead:<id>` /
   * `workflow:<id>` for a client-given id, else undefined (the service assigns ids; not retry-safe).
   */
  idempotencyKey?: string;
  /**
   * sha256 of the canonical (key-sorted) JSON of the validated request. The service stores it with
   * the key: same key + same fingerprint → return the original beads with `created: false`; same
   * key + another fingerprint → throw `IdempotencyMismatchError` (409). Must survive restarts
   * (keep it in the submit event), or retries after a crash create duplicates.
   */
  fingerprint: string;
}

/** What `submit` returns: `created` is false when an earlier identical request already created it. */
export interface SubmitResult {
  created: boolean;
  beads: BeadView[];
  workflowId?: string;
}

/** Status of one component for GET /health. */
export type ComponentStatus = 'ok' | 'degraded' | 'down';

/** The health report: overall 200 only when every component is `ok`. */
export interface HealthReport {
  components: Record<string, { status: ComponentStatus; detail?: string; [extra: string]: unknown }>;
}

/** One event of the log, as GET /events pages it. `cursor` orders events globally. */
export interface EventView {
  cursor: number;
  stream: string;
  seq: number;
  type: string;
  data: unknown;
  at: string;
  [extra: string]: unknown;
}

/** A page of events; `next` is the cursor to pass as `from` for the next page (absent at the end). */
export interface EventPage {
  events: EventView[];
  next?: number;
}

/** One actor of the supervision tree, for /admin/actors. */
export interface ActorView {
  path: string;
  status: string;
  restarts?: number;
  [extra: string]: unknown;
}

/** Chaos hooks, reachable only through /admin/* when the server was started with an admin token. */
export interface AdminService {
  listActors(): ActorView[] | Promise<ActorView[]>;
  /** Crashes the actor as if it threw; throws an OyaError ending in `_NOT_FOUND` for an unknown path. */
  killActor(path: string): void | Promise<void>;
  /** Kills `n` actors chosen with `seed` (deterministic when given); returns their paths. */
  killRandom(n: number, seed?: number): string[] | Promise<string[]>;
  pauseReconciler(paused: boolean): void | Promise<void>;
}

/** The orchestrator as the API sees it. */
export interface BeadService {
  submit(req: SubmitRequest, opts: SubmitOptions): Promise<SubmitResult>;
  get(id: string): Promise<BeadView | undefined>;
  /** Throws NotFoundError (404) or BeadAlreadyFinishedError (409) from ./errors.ts. */
  cancel(id: string, opts: { reason?: string }): Promise<BeadView>;
  health(): Promise<HealthReport>;
  /**
   * `from` is exclusive: events with cursor > from. `wait` (ms): when there are none yet, wait up
   * to that long for one to be committed (a long-poll), ending early on `signal`.
   */
  events(q: { stream?: string; from?: number; limit: number; wait?: number }, signal?: AbortSignal): Promise<EventPage>;
  /** Prometheus text exposition (a prom-client registry's `metrics()`). */
  metricsText(): Promise<string>;
  admin: AdminService;
  /** False once shutdown began: POST routes answer 503 ORCH_API_SHUTTING_DOWN. */
  accepting(): boolean;
}
