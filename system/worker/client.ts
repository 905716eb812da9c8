/**
 * The orchestrator's side of a worker: typed calls over undici, every call with a timeout.
 *
 * Subscribe to events BEFORE prompting (`await client.subscribe()` resolves once the stream
 * delivered `server.connected`), and treat a run as finished only when `session.idle` or
 * `session.error` arrives — never from the HTTP answer of `prompt_async` (opencode's 204 may
 * precede a failed start).
 */
import { Pool } from 'undici';
import type { AgentCheckpoint } from '../agent/simulated.ts';
import { WorkerEventStreamError, WorkerRequestError } from './errors.ts';
import { SSE_HEARTBEAT_INTERVAL_MS, type PromptBody, type SessionInfo, type WorkerEvent } from './protocol.ts';

/** Options of a worker client. */
export interface WorkerClientOptions {
  /** Time limit of one request (headers and body), ms. @default 5000 */
  requestTimeoutMs?: number;
  /** Connections kept to the worker: one per open event stream plus calls. @default 4 */
  connections?: number;
}

/** An open `/event` stream: iterate it for typed events; close() ends it. */
export interface EventSubscription extends AsyncIterable<WorkerEvent> {
  /** The next event, or undefined when the stream was closed by close(). Throws ORCH_WORKER_EVENT_STREAM_LOST. */
  next(): Promise<WorkerEvent | undefined>;
  close(): void;
}

/** How a run ended, as told by the event stream. */
export type SessionOutcome =
  { kind: 'idle'; event: Extract<WorkerEvent, { type: 'session.idle' }> } | { kind: 'error'; event: Extract<WorkerEvent, { type: 'session.error' }> };

/** An HTTP client for one worker. */
export class WorkerClient {
  readonly url: string;
  readonly #pool: Pool;
  readonly #timeoutMs: number;

  constructor(url: string, options: WorkerClientOptions = {}) {
    this.url = url;
    this.#timeoutMs = options.requestTimeoutMs ?? 5000;
    this.#pool = new Pool(url, { connections: options.connections ?? 4, connect: { timeout: this.#timeoutMs } });
  }

  /** `GET /global/health`. */
  health(): Promise<{ healthy: boolean; workerId: string; pid: number }> {
    return this.#call('GET', '/global/health');
  }

  /** `POST /session` → the new session's id. */
  async createSession(): Promise<string> {
    return (await this.#call<{ id: string }>('POST', '/session', {})).id;
  }

  /** `GET /session/:id`. */
  getSession(sessionID: string): Promise<SessionInfo> {
    return this.#call('GET', `/session/${encodeURIComponent(sessionID)}`);
  }

  /** `POST /session/:id/prompt_async`: starts a run; resolves on the 204. */
  async promptAsync(
    sessionID: string,
    prompt: { beadId: string; input: unknown; seed: number | string; attempt?: number; fromCheckpoint?: AgentCheckpoint },
  ): Promise<void> {
    const body: PromptBody = prompt;
    await this.#call('POST', `/session/${encodeURIComponent(sessionID)}/prompt_async`, body);
  }

  /** `POST /session/:id/abort`. The end of the run is confirmed by `session.error` on the stream. */
  abort(sessionID: string): Promise<boolean> {
    return this.#call('POST', `/session/${encodeURIComponent(sessionID)}/abort`, {});
  }

  /**
   * Opens `GET /event` and resolves after `server.connected`. A stream silent for `idleTimeoutMs`
   * (the worker heartbeats every second) fails with ORCH_WORKER_EVENT_STREAM_LOST, so a half-open
   * connection is noticed.
   */
  async subscribe(options: { idleTimeoutMs?: number } = {}): Promise<EventSubscription> {
    const idleTimeoutMs = options.idleTimeoutMs ?? 3 * SSE_HEARTBEAT_INTERVAL_MS;
    let response;
    try {
      response = await this.#pool.request({ method: 'GET', path: '/event', headersTimeout: this.#timeoutMs, bodyTimeout: idleTimeoutMs });
    } catch (err) {
      throw new WorkerRequestError(`GET ${this.url}/event failed: ${(err as Error).message}`, { url: this.url }, { cause: err });
    }
    const body = response.body;
    const url = this.url;
    let closed = false;
    const frames = parseSse(body);
    const subscription: EventSubscription = {
      async next() {
        try {
          const { value, done } = await frames.next();
          if (done) {
            if (closed) return undefined;
            throw new WorkerEventStreamError(`event stream of ${url} ended`);
          }
          return value;
        } catch (err) {
          if (closed) return undefined;
          if (err instanceof WorkerEventStreamError) throw err;
          throw new WorkerEventStreamError(`event stream of ${url} lost: ${(err as Error).message}`, { cause: err });
        }
      },
      close() {
        closed = true;
        body.destroy();
      },
      async *[Symbol.asyncIterator]() {
        for (;;) {
          const event = await subscription.next();
          if (event === undefined) return;
          yield event;
        }
      },
    };
    const first = await subscription.next();
    if (first?.type !== 'server.connected') {
      subscription.close();
      throw new WorkerEventStreamError(`event stream of ${this.url} did not start with server.connected`);
    }
    return subscription;
  }

  /** Reads `subscription` until the session's run ends; fails after `timeoutMs`. */
  static async waitForSessionEnd(subscription: EventSubscription, sessionID: string, timeoutMs = 60_000): Promise<SessionOutcome> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new WorkerEventStreamError(`session ${sessionID} did not end within ${timeoutMs} ms`)), timeoutMs);
    });
    const wait = (async (): Promise<SessionOutcome> => {
      for (;;) {
        const event = await subscription.next();
        if (event === undefined) throw new WorkerEventStreamError('event stream closed while waiting');
        if (event.type === 'session.idle' && event.properties.sessionID === sessionID) return { kind: 'idle', event };
        if (event.type === 'session.error' && event.properties.sessionID === sessionID) return { kind: 'error', event };
      }
    })();
    try {
      return await Promise.race([wait, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** Lets in-flight calls finish, then closes the connections. */
  close(): Promise<void> {
    return this.#pool.close();
  }

  /** Drops every connection at once (open streams fail). */
  destroy(): Promise<void> {
    return this.#pool.destroy();
  }

  async #call<T>(method: 'GET' | 'POST', path: string, body?: unknown): Promise<T> {
    let response;
    try {
      response = await this.#pool.request({
        method,
        path,
        headers: body === undefined ? {} : { 'content-type': 'application/json' },
        ...(body !== undefined && { body: JSON.stringify(body) }),
        headersTimeout: this.#timeoutMs,
        bodyTimeout: this.#timeoutMs,
      });
    } catch (err) {
      throw new WorkerRequestError(`${method} ${this.url}${path} failed: ${(err as Error).message}`, { url: this.url, path }, { cause: err });
    }
    const text = await response.body.text();
    if (response.statusCode === 204) return undefined as T;
    const parsed: unknown = text === '' ? undefined : JSON.parse(text);
    if (response.statusCode >= 400) {
      const info = (parsed ?? {}) as { code?: string; message?: string; retryable?: boolean };
      throw new WorkerRequestError(
        `${method} ${path} → ${response.statusCode} ${info.code ?? ''}: ${info.message ?? text}`,
        { url: this.url, path, status: response.statusCode, workerCode: info.code },
        { retryable: info.retryable ?? response.statusCode >= 500 },
      );
    }
    return parsed as T;
  }
}

/** Parses `data: <json>` SSE frames from a byte stream. */
async function* parseSse(stream: AsyncIterable<Buffer | string>): AsyncGenerator<WorkerEvent, void> {
  let buffer = '';
  for await (const chunk of stream) {
    buffer += typeof chunk === 'string' ? chunk : chunk.toString('utf8');
    let end: number;
    while ((end = buffer.indexOf('\n\n')) >= 0) {
      const frame = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      const data = frame
        .split('\n')
        .filter((line) => line.startsWith('data:'))
        .map((line) => line.slice(5).trimStart())
        .join('\n');
      if (data !== '') yield JSON.parse(data) as WorkerEvent;
    }
  }
}
