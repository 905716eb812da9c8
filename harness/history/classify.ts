/**
 * Deciding ok / fail / unknown from what a request produced, and `track()`, which records it.
 *
 * The rule (Jepsen's): `fail` only when the request DEFINITELY did not take effect, otherwise
 * `unknown`. Calling an indeterminate outcome a failure would let a checker call a bead that did
 * get created "unexpected"; calling it ok would call a bead that was never created "lost".
 *
 * - 2xx                                  → ok
 * - 4xx                                  → fail (the server refused it before acting)
 * - 5xx                                  → unknown, unless its code is in `notAppliedCodes`
 *                                          (503 ORCH_API_SHUTTING_DOWN is refused before acting)
 * - connection never opened (ECONNREFUSED, UND_ERR_CONNECT_TIMEOUT, ENOTFOUND …) → fail:
 *   no byte of the request left this process
 * - timeouts, resets, aborted or closed sockets, anything else → unknown
 * - an error carrying `notApplied: true` (or `applied: false`) → fail; `applied: true` → unknown
 *   is NOT promoted to ok, because an error still means the caller did not see the result.
 */
import type { History, OperationHandle } from './history.ts';
import type { Completion, HistoryEntry, OpRequest, OpResult } from './types.ts';

/** Error codes meaning the connection was never established, so the request was never sent. */
export const NOT_SENT_ERROR_CODES: ReadonlySet<string> = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'UND_ERR_CONNECT_TIMEOUT',
]);

/** API error codes of 5xx responses that are refused before the request is acted on. */
export const DEFAULT_NOT_APPLIED_CODES: ReadonlySet<string> = new Set(['ORCH_API_SHUTTING_DOWN']);

/** Options for {@link classifyStatus} / {@link classifyError} / {@link track}. */
export interface ClassifyOptions {
  /** 5xx codes that still mean "not applied". @default DEFAULT_NOT_APPLIED_CODES */
  notAppliedCodes?: ReadonlySet<string>;
}

/** Classifies an HTTP response by its status (and API error code for 5xx). */
export function classifyStatus(status: number, code?: string, options: ClassifyOptions = {}): Completion {
  if (status >= 200 && status < 300) return 'ok';
  if (status >= 400 && status < 500) return 'fail';
  const notApplied = options.notAppliedCodes ?? DEFAULT_NOT_APPLIED_CODES;
  if (status >= 500 && code !== undefined && notApplied.has(code)) return 'fail';
  return 'unknown';
}

/** Classifies a thrown error (walking its `cause` chain, as undici/fetch wrap the socket error). */
export function classifyError(err: unknown, options: ClassifyOptions = {}): Completion {
  for (const link of causeChain(err)) {
    if (link.notApplied === true || link.applied === false) return 'fail';
    if (link.applied === true) return 'unknown';
  }
  const result = resultFromError(err);
  if (result.status !== undefined) {
    const byStatus = classifyStatus(result.status, result.code, options);
    // A thrown 2xx is odd (a body parse error after success); the effect happened but we saw no result.
    return byStatus === 'ok' ? 'unknown' : byStatus;
  }
  for (const link of causeChain(err)) {
    if (typeof link.code === 'string' && NOT_SENT_ERROR_CODES.has(link.code)) return 'fail';
  }
  return 'unknown';
}

/**
 * Extracts {status, code, message} from an error, a response-like object or an OpResult.
 * Looks at `status`/`statusCode`, `code`, `body.error.code` (our API's error body) and `cause`.
 */
export function resultFromError(errOrResult: unknown): OpResult {
  if (errOrResult === undefined || errOrResult === null) return {};
  switch (typeof errOrResult) {
    case 'string':
    case 'number':
    case 'bigint':
    case 'boolean':
    case 'symbol':
    case 'function':
      return { message: String(errOrResult) };
  }
  const result: OpResult = {};
  for (const link of causeChain(errOrResult)) {
    const status = typeof link.status === 'number' ? link.status : link.statusCode;
    if (result.status === undefined && typeof status === 'number') result.status = status;
    const bodyCode = (link.body as { error?: { code?: unknown } } | undefined)?.error?.code;
    const code = typeof bodyCode === 'string' ? bodyCode : link.code;
    if (result.code === undefined && typeof code === 'string') result.code = code;
    if (result.message === undefined && typeof link.message === 'string' && link.message !== '') result.message = link.message;
    if (result.beadIds === undefined && Array.isArray(link.beadIds)) result.beadIds = link.beadIds as string[];
  }
  const top = errOrResult as Link;
  if (!(errOrResult instanceof Error)) {
    // An OpResult passed straight through keeps its extra fields.
    if (top.value !== undefined) result.value = top.value;
    if (typeof top.workflowId === 'string') result.workflowId = top.workflowId;
  }
  if (result.code === undefined) {
    const name = (errOrResult as { name?: unknown }).name;
    if (name === 'AbortError' || name === 'TimeoutError') result.code = name;
  }
  return result;
}

/** What {@link track} resolves to. It never rejects for a request error: the history holds it. */
export type Tracked<T> = { outcome: 'ok'; value: T; entry: HistoryEntry } | { outcome: 'fail' | 'unknown'; value?: T; error?: unknown; entry: HistoryEntry };

/** Options for {@link track}. */
export interface TrackOptions<T> extends ClassifyOptions {
  /** Pulls bead ids, status, code, a small value out of a resolved result. */
  describe?: (value: T) => OpResult;
}

/**
 * Invokes `request` in `history`, runs `fn`, and completes the operation from what happened.
 * A resolved value with a numeric `status`/`statusCode` is classified by that status (a 409 that
 * resolves is a `fail`); a resolved value without one is `ok`; a rejection goes through
 * {@link classifyError}.
 */
export async function track<T>(history: History, request: OpRequest, fn: () => Promise<T>, options: TrackOptions<T> = {}): Promise<Tracked<T>> {
  const handle: OperationHandle = history.invoke(request);
  let value: T;
  try {
    value = await fn();
  } catch (error) {
    const outcome = classifyError(error, options) === 'fail' ? 'fail' : 'unknown';
    const entry = outcome === 'fail' ? handle.fail(error) : handle.unknown(error);
    return { outcome, error, entry };
  }
  const described: OpResult = { ...resultFromError(value), ...(options.describe?.(value) ?? {}) };
  const outcome = described.status === undefined ? 'ok' : classifyStatus(described.status, described.code, options);
  if (outcome === 'ok') return { outcome, value, entry: handle.ok(described) };
  const entry = outcome === 'fail' ? handle.fail(described) : handle.unknown(described);
  return { outcome, value, entry };
}

type Link = { [key: string]: unknown };

/** The error and its `cause`s, outermost first (bounded, in case of a cycle). */
function causeChain(err: unknown): Link[] {
  const chain: Link[] = [];
  let current = err;
  while (typeof current === 'object' && current !== null && chain.length < 8) {
    chain.push(current as Link);
    current = (current as Link).cause;
  }
  return chain;
}
