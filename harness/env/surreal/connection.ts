/**
 * One WebSocket client of the embedded server: its sessions, its auth state, its requests.
 *
 * The native engine is shared by every connection, and its default session is global: a `use` or
 * `let` on it would leak into every other client. So each connection gets its own engine
 * session (SurrealDB 3's `attach`, addressed by a `session` UUID in each request), and any
 * sessions the client forks are mapped to fresh server-side UUIDs too. A client therefore can
 * neither see nor address another connection's namespace, variables, auth or live queries.
 * On disconnect every session of the connection is detached, which also kills its live queries.
 */
import { randomUUID } from 'node:crypto';
import { CborFrameError, encodeUuid, errorResponse, isRawNone, joinMap, rawKey, rawText, splitMap, wrapResponse, type RawMap } from './rpc-frame.ts';
import { decode, encode, Encoded } from '@surrealdb/cbor';

/** What a connection needs from the server that owns it. */
export interface ConnectionHost {
  /** Runs a CBOR request on the current engine. */
  execute(request: Uint8Array): Promise<Uint8Array>;
  /** Resolves once the notifications of every statement that has answered were delivered. */
  settleNotifications(): Promise<void>;
  /** Changes when the engine was reopened; sessions must then be attached again. */
  generation(): number;
  /** Records which connection owns a server-side session, so notifications can be routed. */
  registerSession(serverKey: string, owner: RpcConnection, clientRaw: Uint8Array | undefined): void;
  unregisterSession(serverKey: string): void;
  /** When true, sessions start signed out and may only sign in until they do. */
  authRequired: boolean;
}

/** The part of a WebSocket the connection uses (satisfied by `ws`). */
export interface FrameSocket {
  readonly readyState: number;
  send(data: Uint8Array): void;
}

interface SessionState {
  serverRaw: Uint8Array;
  clientRaw: Uint8Array | undefined;
  authed: boolean;
  /** The `use` and `let` requests that shaped this session, replayed after an engine reopen. */
  replay: Map<string, RawMap>;
}

// Methods an anonymous session may call when the server has credentials, as on `surreal start --user`.
const ANONYMOUS_METHODS = new Set([
  'ping',
  'version',
  'health',
  'use',
  'signin',
  'signup',
  'authenticate',
  'invalidate',
  'reset',
  'let',
  'set',
  'unset',
  'attach',
  'detach',
  'sessions',
]);
const OPEN = 1;
// Methods that cannot write, hence cannot notify a live query: their answers need no settling.
const READ_ONLY_METHODS = new Set([
  'ping',
  'version',
  'health',
  'info',
  'use',
  'let',
  'set',
  'unset',
  'select',
  'attach',
  'detach',
  'sessions',
  'signin',
  'authenticate',
  'invalidate',
  'reset',
]);

function newServerSessionRaw(): Uint8Array {
  return encodeUuid(Buffer.from(randomUUID().replaceAll('-', ''), 'hex'));
}

function uuidText(raw: Uint8Array): string {
  const hex = rawKey(raw.subarray(raw.length - 16));
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** True when an engine answer is `{error}` rather than a result. */
function isErrorAnswer(answer: Uint8Array): boolean {
  const asMap = answer.length > 0 && answer[0]! >> 5 === 5 ? splitMap(answer) : null;
  return asMap?.size === 1 && asMap.has('error');
}

/** Serves the RPC frames of one WebSocket. */
export class RpcConnection {
  readonly #host: ConnectionHost;
  readonly #socket: FrameSocket;
  readonly #sessions = new Map<string, SessionState>(); // by client key ('' = default session)
  readonly #ready: Promise<void>;
  #inFlight = 0;
  #closed = false;
  #generation: number;
  #resync: Promise<void> | undefined;

  constructor(host: ConnectionHost, socket: FrameSocket) {
    this.#host = host;
    this.#socket = socket;
    this.#generation = host.generation();
    this.#ready = this.#attach('', undefined).then(() => undefined);
  }

  /** Requests the engine is still working on (the server waits for them on close). */
  get inFlight(): number {
    return this.#inFlight;
  }

  /** Handles one binary frame; never throws (errors go back to the client as `{id, error}`). */
  async handle(frame: Uint8Array): Promise<void> {
    this.#inFlight += 1;
    try {
      await this.#ready;
      if (this.#generation !== this.#host.generation()) await (this.#resync ??= this.#reattachAll());
      const reply = await this.#dispatch(frame);
      this.#send(reply);
    } catch (err) {
      this.#send(errorResponse(undefined, -32000, `internal error: ${(err as Error).message}`));
    } finally {
      this.#inFlight -= 1;
    }
  }

  /** Sends a live-query notification that belongs to one of this connection's sessions. */
  deliverNotification(notification: RawMap, clientRaw: Uint8Array | undefined): void {
    if (clientRaw) notification.set('session', clientRaw);
    else notification.delete('session');
    this.#send(joinMap(new Map([['result', joinMap(notification)]])));
  }

  /** After in-flight requests finish, detaches every session (kills its live queries). Idempotent. */
  async release(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#ready.catch(() => undefined);
    // Requests the client sent before leaving still run to the end, as on a real server: detaching
    // first would make them fail with "session not found" depending on timing.
    while (this.#inFlight > 0) await new Promise((resolve) => setTimeout(resolve, 5));
    const sessions = [...this.#sessions.values()];
    this.#sessions.clear();
    await Promise.all(
      sessions.map(async (s) => {
        this.#host.unregisterSession(rawKey(s.serverRaw));
        // A dead engine (server shutting down) cannot detach; nothing is left to free then.
        await this.#execute(
          new Map([
            ['id', encode('detach')],
            ['method', encode('detach')],
            ['session', s.serverRaw],
          ]),
        ).catch(() => undefined);
      }),
    );
  }

  async #dispatch(frame: Uint8Array): Promise<Uint8Array> {
    let request: RawMap | null;
    try {
      request = splitMap(frame);
    } catch (err) {
      if (err instanceof CborFrameError) return errorResponse(undefined, -32700, `Parse error: ${err.message}`, 'Parse');
      throw err;
    }
    if (!request) return errorResponse(undefined, -32600, 'Invalid request: expected a map', 'InvalidRequest');
    const id = request.get('id');
    const method = rawText(request.get('method'));
    if (!method) return errorResponse(id, -32600, 'Invalid request: missing method', 'InvalidRequest');
    const sessionRaw = request.get('session');
    const clientKey = isRawNone(sessionRaw) ? '' : rawKey(sessionRaw!);

    if (method === 'attach' && clientKey !== '') {
      if (this.#sessions.has(clientKey)) return errorResponse(id, -32000, `Session already exists: ${uuidText(sessionRaw!)}`, 'AlreadyExists');
      const answer = await this.#attach(clientKey, sessionRaw);
      return wrapResponse(id, answer);
    }
    if (method === 'sessions') {
      const list = [...this.#sessions.values()].filter((s) => s.clientRaw).map((s) => new Encoded(s.clientRaw!));
      return wrapResponse(id, encode(list));
    }
    if (clientKey === '' && !this.#sessions.has('')) {
      // Attaching the default session failed at connect (e.g. disk full): try again now.
      const answer = await this.#attach('', undefined);
      if (isErrorAnswer(answer)) return wrapResponse(id, answer);
    }
    const session = this.#sessions.get(clientKey);
    if (!session) {
      return errorResponse(id, -32000, `Session not found: ${uuidText(sessionRaw!)}`, 'NotFound');
    }
    if (this.#host.authRequired && !session.authed && !ANONYMOUS_METHODS.has(method)) {
      return errorResponse(id, -32002, 'IAM error: Not enough permissions to perform this action', 'NotAllowed');
    }
    request.set('session', session.serverRaw);
    const answer = await this.#execute(request);
    // A write's notifications go out before its answer: a client that saw the answer has seen
    // them, and two notifications never arrive bunched in one read because the first was late.
    if (!READ_ONLY_METHODS.has(method)) await this.#host.settleNotifications();
    const reply = wrapResponse(id, answer);
    const failed = splitMap(reply)?.has('error') ?? true;
    if (!failed) this.#afterSuccess(method, clientKey, session, request);
    return reply;
  }

  #afterSuccess(method: string, clientKey: string, session: SessionState, request: RawMap): void {
    this.#remember(method, session, request);
    if (method === 'signin' || method === 'signup' || method === 'authenticate') session.authed = true;
    else if (method === 'invalidate' || method === 'reset') session.authed = false;
    else if (method === 'detach' && clientKey !== '') {
      this.#sessions.delete(clientKey);
      this.#host.unregisterSession(rawKey(session.serverRaw));
    }
  }

  #remember(method: string, session: SessionState, request: RawMap): void {
    const replay = session.replay;
    const keep = (key: string): void => {
      replay.delete(key); // re-insert so the replay order follows the client's order
      replay.set(key, new Map([...request].filter(([k]) => k !== 'id')));
    };
    if (method === 'use') keep('use');
    else if (method === 'let' || method === 'set' || method === 'unset') {
      const params = decode(request.get('params') ?? new Uint8Array([0x80])) as unknown[];
      const name = String(params[0]);
      if (method === 'unset') replay.delete(`let:${name}`);
      else keep(`let:${name}`);
    } else if (method === 'reset') replay.clear();
  }

  /**
   * After an engine reopen (disk-full recovery) the engine knows none of our sessions: attach
   * them again under the same ids and replay their `use`/`let` state. Live queries and open
   * transactions do not survive a reopen.
   */
  async #reattachAll(): Promise<void> {
    const generation = this.#host.generation();
    let complete = true;
    for (const session of this.#sessions.values()) {
      const answer = await this.#execute(
        new Map([
          ['id', encode('attach')],
          ['method', encode('attach')],
          ['session', session.serverRaw],
        ]),
      );
      complete &&= !isErrorAnswer(answer);
      for (const request of session.replay.values()) {
        request.set('id', encode('replay'));
        await this.#execute(request);
      }
    }
    // If the engine refused (degraded again), stay stale so the next request tries again.
    if (complete) this.#generation = generation;
    this.#resync = undefined;
  }

  async #attach(clientKey: string, clientRaw: Uint8Array | undefined): Promise<Uint8Array> {
    const serverRaw = newServerSessionRaw();
    const answer = await this.#execute(
      new Map([
        ['id', encode('attach')],
        ['method', encode('attach')],
        ['session', serverRaw],
      ]),
    );
    if (isErrorAnswer(answer)) return answer;
    if (this.#closed) {
      // The client left while we attached: detach at once so nothing outlives the connection.
      await this.#execute(
        new Map([
          ['id', encode('detach')],
          ['method', encode('detach')],
          ['session', serverRaw],
        ]),
      ).catch(() => undefined);
      return answer;
    }
    this.#sessions.set(clientKey, { serverRaw, clientRaw, authed: !this.#host.authRequired, replay: new Map() });
    this.#host.registerSession(rawKey(serverRaw), this, clientRaw);
    return answer;
  }

  #execute(request: RawMap): Promise<Uint8Array> {
    return this.#host.execute(joinMap(request));
  }

  #send(data: Uint8Array): void {
    // A client that left mid-query simply gets no answer; the engine's work still completes.
    if (this.#socket.readyState === OPEN) this.#socket.send(data);
  }
}
