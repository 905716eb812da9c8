/**
 * SurrealDB's HTTP API on the embedded server, as `surreal start` (3.0) answers it:
 * `POST /rpc` (the RPC protocol over HTTP, CBOR or JSON), `POST /sql`, `POST /signin`,
 * `POST /signup`, `POST /import`, `GET|POST /export`, `/key/:table[/:id]` (http-key.ts),
 * `GET /health`, `GET /status`, `GET /version`.
 * Every request is stateless: its headers carry namespace, database and credentials (see
 * http-session.ts), and it runs on a fresh engine session through the same RpcConnection as a
 * WebSocket frame, so results, errors and the auth gate are the ones a WebSocket client sees.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { decode, encode } from '@surrealdb/cbor';
import type { ConnectionHost } from './connection.ts';
import { BodyFormatError, bodyToCbor, cborToBody, formatOf, mediaType, toJsonValue, type BodyFormat } from './http-format.ts';
import { errorKind, errorMessage, HttpRequestError, requestContext, RequestSession } from './http-session.ts';
import { isKeyPath, keyStatement } from './http-key.ts';
import { CborFrameError, errorResponse, joinMap, splitMap } from './rpc-frame.ts';

/** What the HTTP API needs from the server besides what a connection needs. */
export interface HttpApiHost extends ConnectionHost {
  importSql(namespace: string, database: string, sql: string): Promise<void>;
  exportSql(namespace: string, database: string, config?: Uint8Array): Promise<string>;
  /** As `GET /version` of `surreal start` answers: `surrealdb-3.0.2`. */
  version(): string;
}

/** Largest request body accepted (same as the WebSocket's frame limit). */
const MAX_BODY_BYTES = 64 * 1024 * 1024;

type Handler = (req: IncomingMessage, res: ServerResponse, host: HttpApiHost) => Promise<void>;

/** A handler that answers without waiting for anything. */
const answersAtOnce =
  (answer: (...args: Parameters<Handler>) => void): Handler =>
  (req, res, host) => {
    answer(req, res, host);
    return Promise.resolve();
  };

const ROUTES: Record<string, Partial<Record<string, Handler>>> = {
  '/health': { GET: answersAtOnce((_req, res) => res.writeHead(200).end()) },
  '/status': { GET: answersAtOnce((_req, res) => res.writeHead(200).end()) },
  '/version': { GET: answersAtOnce((_req, res, host) => res.writeHead(200, { 'content-type': 'text/plain' }).end(host.version())) },
  '/rpc': { POST: rpc },
  '/sql': { POST: sql },
  '/signin': { POST: (req, res, host) => sign('signin', req, res, host) },
  '/signup': { POST: (req, res, host) => sign('signup', req, res, host) },
  '/import': { POST: importDump },
  '/export': { GET: exportDump, POST: exportDump },
};

/** Serves one HTTP request; never throws (failures become an HTTP error answer). */
export async function handleHttp(req: IncomingMessage, res: ServerResponse, host: HttpApiHost): Promise<void> {
  const path = new URL(req.url ?? '/', 'http://x').pathname;
  const route = isKeyPath(path) ? { [req.method ?? 'GET']: key } : ROUTES[path];
  const handler = route?.[req.method ?? 'GET'];
  try {
    if (!route) throw new HttpRequestError(404, `no such endpoint: ${path}`, 'NotFound');
    if (!handler) throw new HttpRequestError(405, `${req.method} is not allowed on ${path}`, 'Validation');
    await handler(req, res, host);
  } catch (err) {
    if (res.headersSent) return void res.destroy();
    const status = err instanceof HttpRequestError ? err.status : 500;
    const accepted = formatOf(header(req, 'accept'), 'json') ?? 'json';
    const body = { code: status, details: statusText(status), information: (err as Error).message };
    res.writeHead(status, { 'content-type': mediaType(accepted) }).end(encodeAs(body, accepted));
  }
}

async function rpc(req: IncomingMessage, res: ServerResponse, host: HttpApiHost): Promise<void> {
  const input = requestFormat(req, 'cbor');
  const output = responseFormat(req, input);
  const context = requestContext(req.headers);
  let request;
  try {
    request = splitMap(bodyToCbor(await readBody(req), input));
  } catch (err) {
    if (!(err instanceof CborFrameError || err instanceof BodyFormatError)) throw err;
    reply(res, 200, output, errorResponse(undefined, -32700, `Parse error: ${err.message}`, 'Parse'));
    return;
  }
  if (!request) {
    reply(res, 200, output, errorResponse(undefined, -32600, 'Invalid request: expected a map', 'InvalidRequest'));
    return;
  }
  const session = await RequestSession.open(host, context);
  try {
    // An RPC error is an answer, not an HTTP failure: 200 with `{id, error}`, as over WebSocket.
    reply(res, 200, output, joinMap(await session.send(request)));
  } finally {
    await session.close();
  }
}

async function sql(req: IncomingMessage, res: ServerResponse, host: HttpApiHost): Promise<void> {
  const output = responseFormat(req, 'json');
  const text = (await readBody(req)).toString('utf8');
  // URL query parameters are the query's variables (`/sql?name=Tobie`).
  const vars = Object.fromEntries(new URL(req.url ?? '/', 'http://x').searchParams);
  await query(req, res, host, output, text, vars);
}

async function key(req: IncomingMessage, res: ServerResponse, host: HttpApiHost): Promise<void> {
  const input = requestFormat(req, 'json');
  const output = responseFormat(req, 'json');
  const statement = keyStatement(req, new URL(req.url ?? '/', 'http://x'), await readBody(req), input);
  await query(req, res, host, output, statement.query, statement.vars);
}

/** Runs SurrealQL on the request's session and answers the statement results (403 when refused, 400 on a query error). */
async function query(
  req: IncomingMessage,
  res: ServerResponse,
  host: HttpApiHost,
  output: BodyFormat,
  text: string,
  vars: Record<string, unknown>,
): Promise<void> {
  const session = await RequestSession.open(host, requestContext(req.headers));
  try {
    const answer = await session.call('query', [text, vars]);
    if (answer.has('error')) {
      const refused = errorKind(answer) === 'NotAllowed';
      throw new HttpRequestError(refused ? 403 : 400, errorMessage(answer), refused ? 'NotAllowed' : 'Query');
    }
    reply(res, 200, output, answer.get('result')!);
  } finally {
    await session.close();
  }
}

async function sign(method: 'signin' | 'signup', req: IncomingMessage, res: ServerResponse, host: HttpApiHost): Promise<void> {
  // Credentials are JSON unless declared CBOR (curl and fetch send text/plain by default).
  const input = formatOf(header(req, 'content-type'), 'json') === 'cbor' ? 'cbor' : 'json';
  const output = responseFormat(req, 'json');
  let credentials: unknown;
  try {
    credentials = decode(bodyToCbor(await readBody(req), input));
  } catch (err) {
    throw new HttpRequestError(400, `invalid ${method} body: ${(err as Error).message}`, 'Validation');
  }
  if (credentials === null || typeof credentials !== 'object' || Array.isArray(credentials)) {
    throw new HttpRequestError(400, `the ${method} body must be an object such as {"user": …, "pass": …}`, 'Validation');
  }
  // The body names the level itself (ns/db/ac), so only the headers' NS/DB are carried over.
  const { namespace, database } = requestContext(req.headers);
  const session = await RequestSession.open(host, { namespace, database });
  try {
    const answer = await session.call(method, [credentials]);
    if (answer.has('error')) throw new HttpRequestError(401, errorMessage(answer) || 'There was a problem with authentication', 'NotAllowed');
    const token: unknown = decode(answer.get('result')!);
    res.writeHead(200, { 'content-type': mediaType(output) }).end(encodeAs({ code: 200, details: 'Authentication succeeded', token }, output));
  } finally {
    await session.close();
  }
}

async function importDump(req: IncomingMessage, res: ServerResponse, host: HttpApiHost): Promise<void> {
  const output = responseFormat(req, 'json');
  const { namespace, database } = await authorisedTarget(req, host);
  const dump = (await readBody(req)).toString('utf8');
  try {
    await host.importSql(namespace, database, dump);
  } catch (err) {
    throw new HttpRequestError(400, (err as Error).message, 'Query');
  }
  res.writeHead(200, { 'content-type': mediaType(output) }).end(encodeAs([], output));
}

async function exportDump(req: IncomingMessage, res: ServerResponse, host: HttpApiHost): Promise<void> {
  const { namespace, database } = await authorisedTarget(req, host);
  let config: Uint8Array | undefined;
  if (req.method === 'POST') {
    const body = await readBody(req);
    if (body.length > 0) {
      try {
        config = bodyToCbor(body, requestFormat(req, 'json'));
      } catch (err) {
        throw new HttpRequestError(400, `invalid export options: ${(err as Error).message}`, 'Validation');
      }
    }
  }
  let dump: string;
  try {
    dump = await host.exportSql(namespace, database, config);
  } catch (err) {
    throw new HttpRequestError(400, (err as Error).message, 'Validation');
  }
  res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' }).end(dump);
}

/** NS/DB of an import/export, after checking the caller may touch them (403 when signed out on a server with credentials). */
async function authorisedTarget(req: IncomingMessage, host: HttpApiHost): Promise<{ namespace: string; database: string }> {
  const context = requestContext(req.headers);
  if (!context.namespace || !context.database) {
    throw new HttpRequestError(400, 'Specify a namespace and a database (Surreal-NS and Surreal-DB headers)', 'Validation');
  }
  const session = await RequestSession.open(host, context);
  try {
    if (!session.authenticated(host)) throw new HttpRequestError(403, 'IAM error: Not enough permissions to perform this action', 'NotAllowed');
  } finally {
    await session.close();
  }
  return { namespace: context.namespace, database: context.database };
}

function requestFormat(req: IncomingMessage, fallback: BodyFormat): BodyFormat {
  const format = formatOf(header(req, 'content-type'), fallback);
  if (!format) {
    throw new HttpRequestError(415, `unsupported Content-Type "${header(req, 'content-type')}" (application/cbor or application/json)`, 'Validation');
  }
  return format;
}

function responseFormat(req: IncomingMessage, fallback: BodyFormat): BodyFormat {
  const format = formatOf(header(req, 'accept'), fallback);
  if (!format) throw new HttpRequestError(406, `unsupported Accept "${header(req, 'accept')}" (application/cbor or application/json)`, 'Validation');
  return format;
}

function reply(res: ServerResponse, status: number, format: BodyFormat, cbor: Uint8Array): void {
  res.writeHead(status, { 'content-type': mediaType(format) }).end(cborToBody(cbor, format));
}

function encodeAs(value: unknown, format: BodyFormat): Uint8Array | string {
  return format === 'cbor' ? encode(value) : JSON.stringify(toJsonValue(value));
}

function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        req.removeAllListeners('data');
        req.resume();
        reject(new HttpRequestError(413, `request body over ${MAX_BODY_BYTES} bytes`, 'Validation'));
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function statusText(status: number): string {
  const texts: Record<number, string> = {
    400: 'Request problems detected',
    401: 'Authentication failed',
    403: 'Forbidden',
    404: 'Not Found',
    405: 'Method Not Allowed',
    406: 'Not Acceptable',
    413: 'Payload Too Large',
    415: 'Unsupported Media Type',
  };
  return texts[status] ?? 'There was a problem with the database';
}
