/**
 * SurrealDB's REST record endpoints, `/key/:table` and `/key/:table/:id` (GET select, POST create,
 * PUT update, PATCH merge, DELETE delete), as `surreal start` 3.x serves them: each is one
 * SurrealQL statement on the request's session, answered like `/sql` (an array of statement
 * results). The body (POST/PUT/PATCH) is a JSON or CBOR object; `GET /key/:table` takes `limit`
 * and `start` query parameters.
 */
import type { IncomingMessage } from 'node:http';
import { decode } from '@surrealdb/cbor';
import { bodyToCbor, type BodyFormat } from './http-format.ts';
import { HttpRequestError } from './http-session.ts';

/** One SurrealQL statement and its variables. */
export interface KeyStatement {
  query: string;
  vars: Record<string, unknown>;
}

const TABLE_STATEMENTS: Record<string, string> = {
  GET: 'SELECT * FROM type::table($table) LIMIT $limit START $start',
  POST: 'CREATE type::table($table) CONTENT $data',
  PUT: 'UPDATE type::table($table) CONTENT $data',
  PATCH: 'UPDATE type::table($table) MERGE $data',
  DELETE: 'DELETE type::table($table) RETURN BEFORE',
};

const RECORD_STATEMENTS: Record<string, string> = {
  GET: 'SELECT * FROM type::record($table, $id)',
  POST: 'CREATE type::record($table, $id) CONTENT $data',
  PUT: 'UPSERT type::record($table, $id) CONTENT $data',
  PATCH: 'UPSERT type::record($table, $id) MERGE $data',
  DELETE: 'DELETE type::record($table, $id) RETURN BEFORE',
};

/** True for paths this module serves. */
export function isKeyPath(path: string): boolean {
  return path === '/key' || path.startsWith('/key/');
}

/**
 * The statement for a `/key/…` request. Throws HttpRequestError: 404 for a malformed path, 405 for
 * an unsupported method, 400 for a bad body or limit/start.
 */
export function keyStatement(req: IncomingMessage, url: URL, body: Buffer, format: BodyFormat): KeyStatement {
  const parts = url.pathname.split('/').slice(2).map(decodeURIComponent);
  if (parts.length < 1 || parts.length > 2 || parts.some((p) => p === '')) {
    throw new HttpRequestError(404, 'expected /key/:table or /key/:table/:id', 'NotFound');
  }
  const [table, id] = parts as [string, string | undefined];
  const method = req.method ?? 'GET';
  const query = (id === undefined ? TABLE_STATEMENTS : RECORD_STATEMENTS)[method];
  if (!query) throw new HttpRequestError(405, `${method} is not allowed on ${url.pathname}`, 'Validation');
  const vars: Record<string, unknown> = { table };
  // A numeric id addresses person:1, as the record id `person:1` would.
  if (id !== undefined) vars.id = /^-?\d{1,15}$/.test(id) ? Number(id) : id;
  if (method === 'GET' && id === undefined) {
    vars.limit = count(url, 'limit', 100);
    vars.start = count(url, 'start', 0);
  }
  if (method === 'POST' || method === 'PUT' || method === 'PATCH') {
    let data: unknown = {};
    if (body.length > 0) {
      try {
        data = decode(bodyToCbor(body, format));
      } catch (err) {
        throw new HttpRequestError(400, `invalid record body: ${(err as Error).message}`, 'Validation');
      }
    }
    if (data === null || typeof data !== 'object' || Array.isArray(data)) {
      throw new HttpRequestError(400, 'the record body must be an object', 'Validation');
    }
    vars.data = data;
  }
  return { query, vars };
}

function count(url: URL, name: string, fallback: number): number {
  const text = url.searchParams.get(name);
  if (text === null) return fallback;
  if (!/^\d{1,9}$/.test(text)) throw new HttpRequestError(400, `?${name} must be a non-negative integer, got "${text}"`, 'Validation');
  return Number(text);
}
