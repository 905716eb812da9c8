/**
 * The public shapes of the actor runtime: behaviours, refs, child specs, events and the clock.
 */

/** Milliseconds since an arbitrary origin. Injected so restart-intensity windows are testable. */
export interface Clock {
  now(): number;
}

/** The default clock: monotonic, unaffected by wall-clock jumps. */
export const monotonicClock: Clock = { now: () => performance.now() };

/** Why an actor incarnation ended. `normal` = stopped on purpose; `crash` = threw or was killed. */
export type ExitReason = { kind: 'normal' } | { kind: 'crash'; error: unknown };

/** What an actor can see and do while it runs. One context per incarnation. */
export interface ActorContext<M = unknown, R = unknown> {
  /** Full path, e.g. `universe/workers/pool`. */
  readonly path: string;
  /** 1 for the first start, +1 on each restart. */
  readonly incarnation: number;
  /** Aborted when this incarnation is crashed, killed or stopped: long handlers should watch it. */
  readonly signal: AbortSignal;
  /** A ref to this actor (stable across restarts). */
  readonly self: ActorRef<M, R>;
  /** Ask the supervisor to stop this actor with a normal exit (transient children are then not restarted). */
  stopSelf(): void;
}

/**
 * An actor's behaviour. A fresh object is made by the spec's factory for every incarnation, so
 * state lives in the object (or the factory's closure) and a restart starts from a clean slate.
 * `handle`'s return value is the reply to `ask()`; it is ignored for `tell()`. Throwing (or
 * rejecting) from `init` or `handle` crashes the actor.
 */
export interface Behaviour<M, R = void> {
  init?(ctx: ActorContext<M, R>): void | Promise<void>;
  handle(msg: M, ctx: ActorContext<M, R>): R | Promise<R>;
  /** Called once when the incarnation ends, also after a crash (best effort, bounded by `shutdown`). */
  stop?(reason: ExitReason, ctx: ActorContext<M, R>): void | Promise<void>;
}

/** Options of one `ask()`. */
export interface AskOptions {
  /** Reject with ORCH_ACTOR_ASK_TIMEOUT after this long. @default 5000 */
  timeoutMs?: number;
}

/** A handle to an actor; stays valid across restarts (the mailbox belongs to the ref, not the incarnation). */
export interface ActorRef<M, R = void> {
  readonly path: string;
  /** Fire and forget. A message to a stopped actor becomes a dead letter (an event, nothing else). */
  tell(msg: M): void;
  /** Request/response: resolves with `handle`'s return value. */
  ask(msg: M, options?: AskOptions): Promise<R>;
}

/**
 * How a supervisor treats a child's exit (OTP names):
 * - permanent: always restarted;
 * - transient: restarted only after a crash, not after a normal exit;
 * - temporary: never restarted (removed when it exits).
 */
export type RestartType = 'permanent' | 'transient' | 'temporary';

/**
 * How long a child may take to stop: ms to finish its current message and run `stop`, then it is
 * cut off; `brutal` = cut off at once; `infinity` = wait (the default for supervisors).
 */
export type Shutdown = number | 'brutal' | 'infinity';

/**
 * Which children a supervisor restarts when one crashes (OTP names):
 * - one_for_one: only that child;
 * - one_for_all: all children (stopped in reverse order, started in order);
 * - rest_for_one: that child and the ones started after it.
 */
export type Strategy = 'one_for_one' | 'one_for_all' | 'rest_for_one';

/** At most `maxRestarts` restarts within `periodMs`; one more and the supervisor gives up. */
export interface Intensity {
  /** @default 3 */
  maxRestarts: number;
  /** @default 5000 */
  periodMs: number;
}

/** A child that is an actor. */
export interface ActorSpec<M = unknown, R = unknown> {
  kind: 'actor';
  name: string;
  behaviour: () => Behaviour<M, R>;
  /** @default 'permanent' */
  restart?: RestartType;
  /** @default 5000 */
  shutdown?: Shutdown;
}

/** A child that is itself a supervisor. */
export interface SupervisorSpec {
  kind: 'supervisor';
  name: string;
  /** @default 'one_for_one' */
  strategy?: Strategy;
  intensity?: Partial<Intensity>;
  children?: ChildSpec[];
  /** @default 'permanent' */
  restart?: RestartType;
  /** @default 'infinity' */
  shutdown?: Shutdown;
}

export type ChildSpec = ActorSpec | SupervisorSpec;

/** Builds an actor child spec with its types inferred from the behaviour. */
export function actor<M, R = void>(
  name: string,
  behaviour: () => Behaviour<M, R>,
  options: { restart?: RestartType; shutdown?: Shutdown } = {},
): ActorSpec<M, R> {
  return { kind: 'actor', name, behaviour, ...options };
}

/** Builds a supervisor child spec. */
export function supervisor(name: string, options: Omit<SupervisorSpec, 'kind' | 'name'> = {}): SupervisorSpec {
  return { kind: 'supervisor', name, ...options };
}

/**
 * Observability events, for metrics and logs:
 * - started: an incarnation is running (incarnation 1 = first start);
 * - crashed: it threw or was killed (`error`);
 * - restarted: its supervisor started a new incarnation after an exit;
 * - escalated: a supervisor exceeded its intensity and handed the failure to its parent;
 * - stopped: an incarnation ended without a crash (normal exit, supervisor stop, shutdown);
 * - dead_letter: a message reached a stopped actor and was dropped.
 */
export type ActorEvent =
  | { type: 'started'; path: string; kind: 'actor' | 'supervisor'; incarnation: number }
  | { type: 'crashed'; path: string; kind: 'actor' | 'supervisor'; incarnation: number; error: unknown }
  | { type: 'restarted'; path: string; kind: 'actor' | 'supervisor'; incarnation: number }
  | { type: 'escalated'; path: string; kind: 'supervisor'; error: unknown }
  | { type: 'stopped'; path: string; kind: 'actor' | 'supervisor'; incarnation: number }
  | { type: 'dead_letter'; path: string; message: unknown };

export type ActorEventListener = (event: ActorEvent) => void;

/** Lifecycle states, as `listActors()` reports them. */
export type ActorStatus =
  /** created, never started (messages queue for the first incarnation) */
  | 'new'
  /** running `init` */
  | 'starting'
  | 'running'
  /** finishing its current message and running `stop` */
  | 'stopping'
  /** no incarnation: crashed, exited or stopped for a restart; messages queue for the next one */
  | 'down'
  /** stopped for good: asks reject with ORCH_ACTOR_STOPPED, tells become dead letters */
  | 'stopped';

/** One row of `listActors()`. */
export interface ActorInfo {
  path: string;
  kind: 'actor' | 'supervisor';
  status: ActorStatus;
  incarnation: number;
  /** Incarnations after the first (restarts by its supervisor, or with a restarted ancestor). */
  restarts: number;
  /** Messages waiting (actors only; 0 for supervisors). */
  queued: number;
}
