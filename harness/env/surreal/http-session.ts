/**
 * One HTTP request's session. HTTP is stateless: what a WebSocket keeps between frames (namespace,
 * database, sign-in) comes with every request as headers — `Surreal-NS`/`Surreal-DB` (or the older
 * `NS`/`DB`), and `Authorization: Basic …` (root, or namespace/database level with
 * `Surreal-Auth-NS`/`Surreal-Auth-DB`) or `Authorization: Bearer <token from signin>`.
 *
 * The request runs through the very RpcConnection a WebSocket uses, on a fresh engine session
 * that is detached when the request ends, so sessions, the auth gate, error shapes and the
 * notification settling are the same on both protocols.
 */
import type { IncomingHttpHeaders } from 'node:http';
import { encode } from '@surrealdb/cbor';
import { RpcConnection, type ConnectionHost } from './connection.ts';
import { errorResponse, isRawNone, joinMap, rawText, splitMap, type RawMap } from './rpc-frame.ts';

/** What the headers of one request say about its session. */
export interface RequestContext {
  namespace?: string;
  database?: string;
  auth?: { kind: 'basic'; user: string; pass: string; namespace?: string; database?: string } | { kind: 'bearer'; token: string };
}

/** A request the HTTP layer refuses before it reaches the engine; `status` is the HTTP status. */
export class HttpRequestError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly kind = 'Internal',
  ) {
    super(message);
  }
}

function header(headers: IncomingHttpHeaders, ...names: string[]): string | undefined {
  for (const name of names) {
    const value = headers[name];
    const text = Array.isArray(value) ? value[0] : value;
    if (text !== undefined && text !== '') return text;
  }
  return undefined;
}

/** Reads NS/DB and credentials from request headers; throws HttpRequestError(400) on a malformed Authorization. */
export function requestContext(headers: IncomingHttpHeaders): RequestContext {
  const context: RequestContext = {
    namespace: header(headers, 'surreal-ns', 'ns'),
    database: header(headers, 'surreal-db', 'db'),
  };
  const authorization = header(headers, 'authorization');
  if (authorization) {
    const [scheme, value = ''] = authorization.trim().split(/\s+/, 2);
    if (/^basic$/i.test(scheme!)) {
      const decoded = Buffer.from(value, 'base64').toString('utf8');
      const colon = decoded.indexOf(':');
      if (colon < 0) throw new HttpRequestError(400, 'Authorization: Basic needs base64 of "user:pass"', 'Validation');
      context.auth = {
        kind: 'basic',
        user: decoded.slice(0, colon),
        pass: decoded.slice(colon + 1),
        namespace: header(headers, 'surreal-auth-ns'),
        database: header(headers, 'surreal-auth-db'),
      };
    } else if (/^bearer$/i.test(scheme!) && value !== '') {
      context.auth = { kind: 'bearer', token: value };
    } else {
      throw new HttpRequestError(400, `unsupported Authorization scheme "${scheme}" (Basic or Bearer)`, 'Validation');
    }
  }
  return context;
}

/** A fresh, signed-in (per headers) engine session for the length of one HTTP request. */
export class RequestSession {
  readonly #connection: RpcConnection;
  readonly #pending = new Map<string, (reply: RawMap) => void>();
  #next = 0;
  #authed = false;

  private constructor(host: ConnectionHost) {
    // Replies come back through the socket interface; notifications (no id) have nobody to go to.
    this.#connection = new RpcConnection(host, {
      readyState: 1,
      send: (data) => {
        const reply = splitMap(data);
        const id = rawText(reply?.get('id'));
        if (reply && id !== undefined) this.#pending.get(id)?.(reply);
      },
    });
  }

  /**
   * Opens the session: signs in from the headers, then selects NS/DB. Throws HttpRequestError
   * 401 when the credentials are refused, 400 when NS/DB cannot be selected.
   */
  static async open(host: ConnectionHost, context: RequestContext): Promise<RequestSession> {
    const session = new RequestSession(host);
    try {
      if (context.auth && host.authRequired) {
        const [method, params] =
          context.auth.kind === 'bearer'
            ? ['authenticate', [context.auth.token]]
            : [
                'signin',
                [
                  {
                    user: context.auth.user,
                    pass: context.auth.pass,
                    ...(context.auth.namespace ? { ns: context.auth.namespace } : {}),
                    ...(context.auth.database ? { db: context.auth.database } : {}),
                  },
                ],
              ];
        const reply = await session.call(method, params);
        if (reply.has('error')) throw new HttpRequestError(401, 'There was a problem with authentication', 'NotAllowed');
        session.#authed = true;
      }
      if (context.namespace || context.database) {
        const reply = await session.call('use', [context.namespace ?? null, context.database ?? null]);
        if (reply.has('error')) throw new HttpRequestError(400, `cannot use namespace/database: ${errorMessage(reply)}`, 'Validation');
      }
      return session;
    } catch (err) {
      await session.close();
      throw err;
    }
  }

  /** True when the request's credentials were accepted (or the server needs none). */
  authenticated(host: ConnectionHost): boolean {
    return this.#authed || !host.authRequired;
  }

  /** Runs one method; resolves to the `{id, result}` / `{id, error}` reply as raw slices. */
  call(method: string, params: unknown[]): Promise<RawMap> {
    return this.send(
      new Map([
        ['method', encode(method)],
        ['params', encode(params)],
      ]),
    );
  }

  /**
   * Runs a client's request map (its `id` is restored on the reply, absent stays absent). HTTP has
   * no connection to hold sessions, so a `session` field is ignored: the headers are the session.
   */
  async send(request: RawMap): Promise<RawMap> {
    const clientId = request.get('id');
    const id = `http-${this.#next++}`;
    const frame: RawMap = new Map([...request].filter(([key]) => key !== 'session' && key !== 'id'));
    frame.set('id', encode(id));
    let answered: RawMap | undefined;
    this.#pending.set(id, (reply) => (answered = reply));
    // handle() sends its reply before it resolves, and never throws.
    await this.#connection.handle(joinMap(frame));
    this.#pending.delete(id);
    const reply = answered ?? splitMap(errorResponse(undefined, -32000, 'internal error: the request got no answer'))!;
    if (clientId && !isRawNone(clientId)) reply.set('id', clientId);
    else reply.delete('id');
    return reply;
  }

  /** Detaches the engine session. Idempotent. */
  close(): Promise<void> {
    return this.#connection.release();
  }
}

/** The `message` of a `{error}` reply. */
export function errorMessage(reply: RawMap): string {
  const raw = reply.get('error');
  if (!raw) return '';
  const error = splitMap(raw);
  return rawText(error?.get('message')) ?? 'error';
}

/** The `kind` of a `{error}` reply (e.g. `NotAllowed`). */
export function errorKind(reply: RawMap): string {
  const raw = reply.get('error');
  return (raw && rawText(splitMap(raw)?.get('kind'))) ?? '';
}
