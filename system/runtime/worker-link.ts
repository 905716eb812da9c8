/**
 * One event stream per worker, kept open across attempts, with its events routed by session; and
 * a session created ahead, so an attempt's critical path is one call (prompt) instead of three
 * (subscribe, create session, prompt).
 *
 * Routing: an event that names a session goes to the route registered for that session (none:
 * dropped, it belongs to a run nobody follows any more); an event that names none (the worker's
 * `server.heartbeat`) goes to every route, because attempts count any event as a sign of life.
 * When the stream fails, every route's next() fails with that error (the attempt decides: lost
 * worker or partition) and the next `events()` call opens a new stream.
 */
import type { EventSubscription, WorkerClient, WorkerEvent, WorkerHandle } from '../worker/index.ts';
import { agentClient } from './agent-links.ts';

/** Heartbeats a route holds unread at most (they only say "alive"; one is as good as many). */
const MAX_QUEUED_HINTS = 16;

/** The events of one session, as an EventSubscription (what Attempt consumes). */
class SessionRoute implements EventSubscription {
  readonly #queue: WorkerEvent[] = [];
  #waiter: { resolve: (e: WorkerEvent | undefined) => void; reject: (err: unknown) => void } | undefined;
  #failure: Error | undefined;
  #closed = false;

  constructor(private readonly onClose: () => void) {}

  push(event: WorkerEvent): void {
    if (this.#closed) return;
    if (this.#waiter !== undefined) {
      const waiter = this.#waiter;
      this.#waiter = undefined;
      waiter.resolve(event);
    } else {
      this.#queue.push(event);
    }
  }

  fail(err: Error): void {
    if (this.#closed || this.#failure !== undefined) return;
    this.#failure = err;
    const waiter = this.#waiter;
    this.#waiter = undefined;
    waiter?.reject(err);
  }

  /** A sign of life for every route (heartbeats): dropped when the route already has events waiting. */
  hint(event: WorkerEvent): void {
    if (this.#queue.length < MAX_QUEUED_HINTS) this.push(event);
  }

  next(): Promise<WorkerEvent | undefined> {
    if (this.#queue.length > 0) return Promise.resolve(this.#queue.shift());
    if (this.#closed) return Promise.resolve(undefined);
    if (this.#failure !== undefined) {
      // Same rule as a pending wait below: a caller that no longer listens must not leave an unhandled rejection
      // (seen once in CI under a busy core: a stream lost during shutdown, read again by an attempt that had ended).
      const failed = Promise.reject(this.#failure);
      failed.catch(() => {});
      return failed;
    }
    const waiting = new Promise<WorkerEvent | undefined>((resolve, reject) => (this.#waiter = { resolve, reject }));
    // A caller that stopped listening (its attempt ended) must not turn a later stream failure
    // into an unhandled rejection; a caller that awaits still gets the error.
    waiting.catch(() => {});
    return waiting;
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#queue.length = 0;
    const waiter = this.#waiter;
    this.#waiter = undefined;
    waiter?.resolve(undefined);
    this.onClose();
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<WorkerEvent> {
    for (;;) {
      const event = await this.next();
      if (event === undefined) return;
      yield event;
    }
  }
}

/** The orchestrator's standing connection to one worker. */
export class WorkerLink {
  readonly #worker: WorkerHandle;
  #client: WorkerClient | undefined;
  #stream: Promise<EventSubscription> | undefined;
  readonly #routes = new Map<string, SessionRoute>();
  #spare: Promise<string> | undefined;
  #closed = false;
  /** Streams opened so far (1 for a worker whose stream never broke). */
  streamsOpened = 0;

  constructor(worker: WorkerHandle) {
    this.#worker = worker;
    void worker.exited.then(() => this.close());
  }

  /** The client attempts call the worker with (through its agent proxy when it has one). */
  async client(): Promise<WorkerClient> {
    this.#client ??= await agentClient(this.#worker);
    return this.#client;
  }

  /** A fresh session id: the one created ahead if there is one, else created now. The next is created ahead. */
  async session(): Promise<string> {
    const client = await this.client();
    const ahead = this.#spare;
    this.#spare = undefined;
    const id = ahead === undefined ? await client.createSession() : await ahead.catch(() => client.createSession());
    this.#createAhead(client);
    return id;
  }

  /**
   * The events of `sessionID` from now on, over the worker's one stream (opened now if it is not
   * open: resolves once the worker confirmed it with `server.connected`).
   */
  async events(sessionID: string): Promise<EventSubscription> {
    await this.#open();
    this.#routes.get(sessionID)?.close();
    const route: SessionRoute = new SessionRoute(() => {
      if (this.#routes.get(sessionID) === route) this.#routes.delete(sessionID);
    });
    this.#routes.set(sessionID, route);
    return route;
  }

  /** Opens the stream and creates a session ahead, in the background (a fresh worker's first attempt then waits for neither). */
  warm(): void {
    void this.#open().catch(() => {});
    void this.client().then(
      (client) => {
        if (this.#spare === undefined) this.#createAhead(client);
      },
      () => {},
    );
  }

  /** Ends the stream and every route. Idempotent. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    void this.#stream?.then(
      (s) => s.close(),
      () => {},
    );
    this.#stream = undefined;
    for (const route of [...this.#routes.values()]) route.close();
  }

  #createAhead(client: WorkerClient): void {
    if (this.#closed || !this.#worker.alive) return;
    const spare = client.createSession();
    spare.catch(() => {}); // session() falls back to creating one when the spare failed
    this.#spare = spare;
  }

  async #open(): Promise<void> {
    if (this.#closed) throw new Error(`worker ${this.#worker.id} is gone`);
    if (this.#stream === undefined) {
      this.streamsOpened += 1;
      const opening = (async () => (await this.client()).subscribe())();
      this.#stream = opening;
      opening.then(
        (stream) => this.#pump(stream, opening),
        () => {
          if (this.#stream === opening) this.#stream = undefined;
        },
      );
    }
    await this.#stream;
  }

  /** Reads the stream for as long as it lives, handing each event to its route. */
  async #pump(stream: EventSubscription, opening: Promise<EventSubscription>): Promise<void> {
    try {
      for (;;) {
        const event = await stream.next();
        if (event === undefined) return; // closed by close()
        const sessionID = 'sessionID' in event.properties ? (event.properties as { sessionID?: unknown }).sessionID : undefined;
        if (typeof sessionID === 'string') this.#routes.get(sessionID)?.push(event);
        else for (const route of this.#routes.values()) route.hint(event);
      }
    } catch (err) {
      if (this.#stream === opening) this.#stream = undefined;
      stream.close();
      // stream.next() fails with WorkerEventStreamError; anything else is wrapped, so a route always fails with an Error.
      const failure = err instanceof Error ? err : new Error(String(err));
      for (const route of this.#routes.values()) route.fail(failure);
    }
  }
}

const links = new WeakMap<WorkerHandle, WorkerLink>();

/** The standing link to `worker` (made on first use, closed when the worker exits). */
export function workerLink(worker: WorkerHandle): WorkerLink {
  let link = links.get(worker);
  if (link === undefined) {
    link = new WorkerLink(worker);
    links.set(worker, link);
  }
  return link;
}
