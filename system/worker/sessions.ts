/**
 * The sessions a worker hosts, and the agent runs inside them.
 *
 * A session runs one prompt at a time. A run's progress goes out as WorkerEvents to every
 * subscriber (the SSE clients); its end is `session.idle` (with the result) on success or
 * `session.error` (with `{type, retryable, message}`) on failure or abort — exactly one of the two.
 */
import { toAgentFailure } from '../agent/errors.ts';
import type { SideEffectSink } from '../agent/side-effects.ts';
import { runSimulatedAgent } from '../agent/simulated.ts';
import { resolveAgentInput } from '../agent/input.ts';
import { SessionBusyError, SessionNotFoundError } from './errors.ts';
import type { PromptBody, SessionInfo, SessionProgress, WorkerEvent } from './protocol.ts';

interface Session {
  info: SessionInfo;
  controller?: AbortController;
  run?: Promise<void>;
}

/** Options of a session registry. */
export interface SessionRegistryOptions {
  sideEffects: SideEffectSink;
  /** Receives every event of every session. */
  publish: (event: WorkerEvent) => void;
  /** Called when an agent asks for a hard crash (`crashAt`); the worker exits the process. */
  onCrash: (sessionID: string, step: number) => void | Promise<void>;
}

/**
 * Sessions whose run ended that are kept (oldest dropped first): enough for an orchestrator that
 * lost its stream to read the end of its run (GET /session/:id), without a worker holding every
 * result it ever produced. Sessions never prompted are not dropped.
 */
export const MAX_FINISHED_SESSIONS = 32;

/** Holds the sessions of one worker. */
export class SessionRegistry {
  readonly #sessions = new Map<string, Session>();
  /** Ids of sessions whose last run ended, oldest first. */
  readonly #finished = new Set<string>();
  readonly #options: SessionRegistryOptions;
  /**
   * Session ids are `ses_<registry start, base 36 ms>_<pid>_<counter>`: unique within the worker
   * and across its restarts (a new process has another pid or start time), which is all they need
   * to be; they are not secrets. Not `crypto.randomUUID()`: node:crypto alone costs a worker ~0.75
   * MiB of RSS (system/worker/README.md "Memory").
   */
  readonly #idPrefix = `ses_${Date.now().toString(36)}_${process.pid.toString(36)}_`;
  #created = 0;

  constructor(options: SessionRegistryOptions) {
    this.#options = options;
  }

  /** Creates an idle session and returns its id. */
  create(): SessionInfo {
    const id = `${this.#idPrefix}${(this.#created++).toString(36)}`;
    const info: SessionInfo = { id, status: 'idle', step: 0 };
    this.#sessions.set(id, { info });
    return { ...info };
  }

  /** The session's current state. Throws SessionNotFoundError. */
  get(id: string): SessionInfo {
    return { ...this.#require(id).info };
  }

  /**
   * Starts a run and returns at once (the HTTP handler answers 204). The input is validated
   * first so a malformed prompt is a 400, not an event the caller might miss.
   */
  prompt(id: string, body: PromptBody): void {
    const session = this.#require(id);
    if (session.info.status === 'busy') throw new SessionBusyError(id);
    const input = resolveAgentInput(body.input);
    const attempt = body.attempt ?? 1;
    const controller = new AbortController();
    session.controller = controller;
    this.#finished.delete(id);
    session.info = {
      id,
      status: 'busy',
      beadId: body.beadId,
      attempt,
      step: body.fromCheckpoint?.step ?? 0,
      steps: input.steps,
    };
    const { publish } = this.#options;
    publish({ type: 'session.status', properties: { sessionID: id, status: 'busy' } });
    session.run = runSimulatedAgent({
      beadId: body.beadId,
      input,
      seed: body.seed,
      attempt,
      signal: controller.signal,
      sideEffects: this.#options.sideEffects,
      ...(body.fromCheckpoint && { fromCheckpoint: body.fromCheckpoint }),
      onCrash: (step) => this.#options.onCrash(id, step),
      onEvent: (event) => {
        if (event.type === 'checkpoint') session.info.step = event.step;
        const { type, ...fields } = event;
        publish({ type, properties: { sessionID: id, beadId: body.beadId, ...fields } } as WorkerEvent);
      },
    }).then(
      (result) => {
        session.info = { ...session.info, status: 'idle', result };
        this.#ended(id);
        publish({ type: 'session.idle', properties: { sessionID: id, beadId: body.beadId, result } });
      },
      (err: unknown) => {
        const error = toAgentFailure(err);
        session.info = { ...session.info, status: 'idle', error };
        this.#ended(id);
        publish({ type: 'session.error', properties: { sessionID: id, beadId: body.beadId, error } });
      },
    );
  }

  /** Aborts the session's run, if any. Returns true like opencode, also when it was idle. */
  abort(id: string): boolean {
    const session = this.#require(id);
    session.controller?.abort();
    return true;
  }

  /** Aborts every run and waits for them to settle (graceful shutdown). */
  async abortAll(): Promise<void> {
    const runs: Promise<void>[] = [];
    for (const session of this.#sessions.values()) {
      session.controller?.abort();
      if (session.run) runs.push(session.run);
    }
    await Promise.allSettled(runs);
  }

  /** Progress of the busy sessions, for heartbeats. */
  progress(): SessionProgress[] {
    const out: SessionProgress[] = [];
    for (const { info } of this.#sessions.values()) {
      if (info.status !== 'busy') continue;
      out.push({ sessionID: info.id, beadId: info.beadId ?? '', attempt: info.attempt ?? 1, step: info.step, steps: info.steps ?? 0 });
    }
    return out;
  }

  /** Files the session as finished and drops the oldest finished ones beyond MAX_FINISHED_SESSIONS. */
  #ended(id: string): void {
    this.#finished.add(id);
    for (const old of this.#finished) {
      if (this.#finished.size <= MAX_FINISHED_SESSIONS) break;
      this.#finished.delete(old);
      this.#sessions.delete(old);
    }
  }

  #require(id: string): Session {
    const session = this.#sessions.get(id);
    if (!session) throw new SessionNotFoundError(id);
    return session;
  }
}
