/**
 * One actor: a mailbox that outlives incarnations, and the loop that feeds it to the current
 * behaviour one message at a time.
 *
 * Crash semantics (see README.md): the message being handled when the actor crashes is dropped
 * and its ask() rejects with ORCH_ACTOR_CRASHED; every other queued message survives and is
 * handled, in order, by the next incarnation. Messages sent while the actor is down queue too.
 * Only a final stop (not restarted) rejects the queue with ORCH_ACTOR_STOPPED.
 */
import { ActorAskTimeoutError, ActorCrashedError, ActorStoppedError } from './errors.ts';
import { Deque } from './deque.ts';
import { within, type ExitListener, type Runtime, type TreeNode } from './node.ts';
import type { ActorContext, ActorRef, ActorSpec, ActorStatus, AskOptions, Behaviour, ExitReason } from './types.ts';

/** The ask() timeout when none is given, in ms. */
export const DEFAULT_ASK_TIMEOUT_MS = 5_000;
/** How long an actor may take to stop when its spec says nothing, in ms (OTP's worker default). */
export const DEFAULT_ACTOR_SHUTDOWN_MS = 5_000;

interface Envelope<M, R> {
  msg: M;
  /** Present for ask(); absent for tell(). */
  resolve?: (reply: R) => void;
  reject?: (err: unknown) => void;
  timer?: NodeJS.Timeout;
  settled?: boolean;
}

function settle<M, R>(env: Envelope<M, R>, ok: boolean, value: unknown): void {
  if (env.settled || env.resolve === undefined) return;
  env.settled = true;
  if (env.timer !== undefined) clearTimeout(env.timer);
  if (ok) env.resolve(value as R);
  else env.reject!(value);
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return typeof value === 'object' && value !== null && typeof (value as { then?: unknown }).then === 'function';
}

const noExitListener: ExitListener = () => undefined;

export class ActorCell<M, R> implements TreeNode, ActorRef<M, R> {
  readonly kind = 'actor' as const;
  status: ActorStatus = 'new';
  incarnation = 0;
  onExit: ExitListener = noExitListener;

  private readonly mailbox = new Deque<Envelope<M, R>>();
  private current: Envelope<M, R> | undefined;
  private behaviour: Behaviour<M, R> | undefined;
  private ctx: ActorContext<M, R> | undefined;
  private abort: AbortController | undefined;
  /** Bumped whenever an incarnation starts or ends, so work left over from an old one can tell. */
  private generation = 0;
  private loop: Promise<void> | undefined;
  private stopRequested = false;

  constructor(
    readonly spec: ActorSpec<M, R>,
    readonly path: string,
    private readonly runtime: Runtime,
  ) {}

  tell(msg: M): void {
    if (this.status === 'stopped') {
      this.runtime.emit({ type: 'dead_letter', path: this.path, message: msg });
      return;
    }
    this.mailbox.push({ msg });
    this.schedule();
  }

  ask(msg: M, options: AskOptions = {}): Promise<R> {
    if (this.status === 'stopped') return Promise.reject(new ActorStoppedError(this.path, 'stopped'));
    const timeoutMs = options.timeoutMs ?? DEFAULT_ASK_TIMEOUT_MS;
    return new Promise<R>((resolve, reject) => {
      const env: Envelope<M, R> = { msg, resolve, reject };
      if (Number.isFinite(timeoutMs)) {
        // The message stays queued: a timeout only means "no reply", the actor may still handle it.
        env.timer = setTimeout(() => settle(env, false, new ActorAskTimeoutError(this.path, timeoutMs)), timeoutMs);
      }
      this.mailbox.push(env);
      this.schedule();
    });
  }

  queued(): number {
    return this.mailbox.length;
  }

  async start(): Promise<void> {
    this.incarnation++;
    const generation = ++this.generation;
    this.status = 'starting';
    this.stopRequested = false;
    const abort = new AbortController();
    this.abort = abort;
    const ctx: ActorContext<M, R> = {
      path: this.path,
      incarnation: this.incarnation,
      signal: abort.signal,
      self: this,
      stopSelf: () => this.requestStop(generation),
    };
    this.ctx = ctx;
    try {
      this.behaviour = this.spec.behaviour();
      await this.behaviour.init?.(ctx);
    } catch (err) {
      if (this.generation === generation) this.endIncarnation(err);
      throw err;
    }
    if (this.generation !== generation) throw new ActorStoppedError(this.path, 'stopped while starting');
    this.status = 'running';
    this.runtime.emit(
      this.incarnation === 1
        ? { type: 'started', path: this.path, kind: 'actor', incarnation: this.incarnation }
        : { type: 'restarted', path: this.path, kind: 'actor', incarnation: this.incarnation },
    );
    this.schedule();
  }

  kill(error: unknown): boolean {
    if (this.status !== 'running') return false;
    this.crash(error);
    return true;
  }

  async stop(final: boolean): Promise<void> {
    if (this.status === 'running' || this.status === 'starting') {
      const generation = this.generation;
      this.status = 'stopping';
      const shutdown = this.spec.shutdown ?? DEFAULT_ACTOR_SHUTDOWN_MS;
      const deadline = typeof shutdown === 'number' ? performance.now() + shutdown : undefined;
      const finished = await within(this.loop ?? Promise.resolve(), shutdown);
      if (this.generation === generation) {
        const behaviour = this.behaviour;
        const ctx = this.ctx!;
        const remaining: typeof shutdown = deadline === undefined ? shutdown : Math.max(0, deadline - performance.now());
        // Cut off (time is up): the handler still running is abandoned and its ask rejected.
        this.endIncarnation(new ActorStoppedError(this.path, finished ? 'stopping' : 'shutdown timeout'));
        if (finished && behaviour?.stop) {
          await within(
            Promise.resolve().then(() => behaviour.stop!({ kind: 'normal' }, ctx)),
            remaining,
          );
        }
        this.runtime.emit({ type: 'stopped', path: this.path, kind: 'actor', incarnation: this.incarnation });
      }
    }
    if (final) this.finalize('stopped by its supervisor');
  }

  destroy(reason: string): void {
    if (this.status !== 'down' && this.status !== 'stopped' && this.status !== 'new') {
      this.endIncarnation(new ActorStoppedError(this.path, reason));
    }
    this.finalize(reason);
  }

  /** Stopped for good: nothing queued will ever be handled. */
  private finalize(reason: string): void {
    this.status = 'stopped';
    for (const env of this.mailbox.drain()) {
      if (env.resolve) settle(env, false, new ActorStoppedError(this.path, reason));
      else this.runtime.emit({ type: 'dead_letter', path: this.path, message: env.msg });
    }
  }

  private schedule(): void {
    if (this.loop === undefined && this.status === 'running' && this.mailbox.length > 0) {
      this.loop = this.drain(this.generation);
    }
  }

  /**
   * The status read afresh. After a handler awaits, a stop or kill may have changed it; TypeScript keeps
   * the narrowing of `this.status` from the loop condition across the await, so a plain comparison looks constant.
   */
  private isRunning(): boolean {
    return this.status === 'running';
  }

  private async drain(generation: number): Promise<void> {
    // Start on a microtask so tell() never runs a handler synchronously inside the caller.
    await Promise.resolve();
    while (this.generation === generation && this.status === 'running' && !this.stopRequested) {
      const env = this.mailbox.shift();
      if (env === undefined) break;
      this.current = env;
      let reply: unknown;
      try {
        reply = this.behaviour!.handle(env.msg, this.ctx!);
        if (isThenable(reply)) reply = await reply;
      } catch (err) {
        if (this.generation !== generation) return; // the incarnation already ended and settled env
        if (this.isRunning()) this.crash(err);
        else settle(env, false, new ActorCrashedError(this.path, err)); // threw while being stopped
        return;
      }
      if (this.generation !== generation) return;
      this.current = undefined;
      settle(env, true, reply);
    }
    if (this.generation !== generation) return;
    this.loop = undefined;
    if (this.stopRequested && this.status === 'running') this.exit({ kind: 'normal' });
  }

  private requestStop(generation: number): void {
    if (this.generation !== generation || this.status !== 'running') return;
    this.stopRequested = true;
    if (this.loop === undefined) queueMicrotask(() => this.generation === generation && this.exit({ kind: 'normal' }));
  }

  private crash(error: unknown): void {
    this.runtime.emit({ type: 'crashed', path: this.path, kind: 'actor', incarnation: this.incarnation, error });
    this.exit({ kind: 'crash', error });
  }

  /** The incarnation ended on its own: clean up, then let the supervisor decide. */
  private exit(reason: ExitReason): void {
    const incarnation = this.incarnation;
    const behaviour = this.behaviour;
    const ctx = this.ctx!;
    this.endIncarnation(reason.kind === 'crash' ? new ActorCrashedError(this.path, reason.error) : new ActorStoppedError(this.path, 'exited'));
    if (reason.kind === 'normal') this.runtime.emit({ type: 'stopped', path: this.path, kind: 'actor', incarnation });
    const cleanup = behaviour?.stop ? Promise.resolve().then(() => behaviour.stop!(reason, ctx)) : Promise.resolve();
    void within(cleanup, this.spec.shutdown ?? DEFAULT_ACTOR_SHUTDOWN_MS).then(() => this.onExit(this, incarnation, reason));
  }

  /** Detaches the current incarnation; `inFlightError` rejects the message it was handling. */
  private endIncarnation(inFlightError: unknown): void {
    this.generation++;
    this.status = 'down';
    this.loop = undefined;
    this.abort?.abort(inFlightError);
    if (this.current !== undefined) {
      settle(this.current, false, inFlightError);
      this.current = undefined;
    }
  }
}
