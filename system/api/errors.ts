/**
 * Errors of the REST API (ORCH_API_*) and the ONE table that maps any error to an HTTP status.
 *
 * The API never decides a status from a class name at a call site: every error that reaches the
 * response goes through `toHttpError()`, which looks the code up in `STATUS_BY_CODE`, then honours
 * an `httpStatus` the error carries itself, then falls back on documented naming rules. Anything
 * that is not an OyaError is an unexpected crash: 500 ORCH_API_INTERNAL, with no stack or message
 * from the crash in the body (it may contain internals; it goes to the log instead).
 */
import { OyaError } from '../errors.ts';

/** The body of every error response: `{ error: { code, message, details } }`. */
export interface ErrorBody {
  error: { code: string; message: string; details: Record<string, unknown> };
}

/** An error of the API layer itself. `status` is fixed per code by `STATUS_BY_CODE`. */
export class ApiError extends OyaError {
  constructor(code: keyof typeof STATUS_BY_CODE, message: string, details: Record<string, unknown> = {}, retryable = false) {
    super(code, message, { details, retryable });
  }
}

/** The request body is not valid JSON. */
export class MalformedJsonError extends ApiError {
  constructor(reason: string) {
    super('ORCH_API_MALFORMED_JSON', `request body is not valid JSON: ${reason}`);
  }
}

/** The body is JSON but does not match the schema; `details.issues` names each field path. */
export class InvalidBodyError extends ApiError {
  constructor(issues: Array<{ path: string; message: string }>) {
    super('ORCH_API_INVALID_BODY', `invalid request body: ${summarise(issues)}`, { issues });
  }
}

/** A query string parameter is missing, unknown or of the wrong type. */
export class InvalidQueryError extends ApiError {
  constructor(issues: Array<{ path: string; message: string }>) {
    super('ORCH_API_INVALID_QUERY', `invalid query: ${summarise(issues)}`, { issues });
  }
}

/** Unknown route, or a bead that does not exist (`details.id`). */
export class NotFoundError extends ApiError {
  constructor(message: string, details: Record<string, unknown> = {}) {
    super('ORCH_API_NOT_FOUND', message, details);
  }
}

/** The route exists but not for this method; the response carries an `Allow` header. */
export class MethodNotAllowedError extends ApiError {
  constructor(
    method: string,
    readonly allow: string[],
  ) {
    super('ORCH_API_METHOD_NOT_ALLOWED', `method ${method} not allowed here; allowed: ${allow.join(', ')}`, { allow });
  }
}

/** An idempotency key (or a client-given id) was reused with a different request body. */
export class IdempotencyMismatchError extends ApiError {
  constructor(key: string) {
    super('ORCH_API_IDEMPOTENCY_MISMATCH', `idempotency key "${key}" was already used with a different request`, { key });
  }
}

/** Cancel of a bead that already reached a final status. */
export class BeadAlreadyFinishedError extends ApiError {
  constructor(id: string, status: string) {
    super('ORCH_API_BEAD_FINISHED', `bead "${id}" already finished with status ${status}`, { id, status });
  }
}

/** The body exceeded `bodyLimitBytes`; reading stopped at the limit. */
export class BodyTooLargeError extends ApiError {
  constructor(limitBytes: number) {
    super('ORCH_API_BODY_TOO_LARGE', `request body exceeds the limit of ${limitBytes} bytes`, { limitBytes });
  }
}

/** A body was sent with a content type other than JSON. */
export class UnsupportedMediaTypeError extends ApiError {
  constructor(contentType: string | undefined) {
    super('ORCH_API_UNSUPPORTED_MEDIA_TYPE', `content type must be application/json, got ${contentType ?? 'none'}`, {
      contentType: contentType ?? null,
    });
  }
}

/** /admin/* without the right bearer token. */
export class UnauthorizedError extends ApiError {
  constructor() {
    super('ORCH_API_UNAUTHORIZED', 'missing or wrong bearer token');
  }
}

/** The orchestrator is shutting down and refuses new work. Retryable: another instance may take it. */
export class ShuttingDownError extends ApiError {
  constructor() {
    super('ORCH_API_SHUTTING_DOWN', 'the orchestrator is shutting down and accepts no new work', {}, true);
  }
}

/**
 * Status per known code. API codes first, then codes of other modules whose meaning is fixed
 * (the scheduler's DAG and bead errors). Add a code here rather than special-casing a route.
 */
export const STATUS_BY_CODE = {
  ORCH_API_MALFORMED_JSON: 400,
  ORCH_API_INVALID_BODY: 400,
  ORCH_API_INVALID_QUERY: 400,
  ORCH_API_UNAUTHORIZED: 401,
  ORCH_API_NOT_FOUND: 404,
  ORCH_API_METHOD_NOT_ALLOWED: 405,
  ORCH_API_IDEMPOTENCY_MISMATCH: 409,
  ORCH_API_BEAD_FINISHED: 409,
  ORCH_API_BODY_TOO_LARGE: 413,
  ORCH_API_UNSUPPORTED_MEDIA_TYPE: 415,
  ORCH_API_INTERNAL: 500,
  ORCH_API_SHUTTING_DOWN: 503,
  ORCH_DAG_CYCLE: 400,
  ORCH_DAG_UNKNOWN_DEPENDENCY: 400,
  ORCH_DAG_DUPLICATE_ID: 400,
  ORCH_BEAD_INVALID: 400,
  ORCH_BEAD_NOT_FOUND: 404,
  // Cancel (or any change) that the bead's status no longer allows: a conflict, not bad input.
  ORCH_BEAD_INVALID_TRANSITION: 409,
} as const satisfies Record<string, number>;

/**
 * Naming rules for OyaError codes not in the table and without `httpStatus`, so a module that adds
 * a code ending in _NOT_FOUND gets a sensible status without touching the API. First match wins.
 */
const STATUS_BY_CODE_PATTERN: ReadonlyArray<[RegExp, number]> = [
  [/_NOT_FOUND$/, 404],
  [/_(CONFLICT|DUPLICATE\w*|ALREADY_\w+|FINISHED)$/, 409],
  [/_(INVALID\w*|MALFORMED\w*)$/, 400],
  [/_(TIMEOUT|UNAVAILABLE|SHUTTING_DOWN)$/, 503],
];

/** What the server writes for one failed request. */
export interface HttpError {
  status: number;
  body: ErrorBody;
  headers: Record<string, string>;
  /** True when the error is an unexpected crash (not an OyaError): logged with its stack. */
  internal: boolean;
}

/** Maps any thrown value to a status, headers and a JSON body. Never throws. */
export function toHttpError(err: unknown): HttpError {
  if (!(err instanceof OyaError)) {
    return {
      status: 500,
      body: { error: { code: 'ORCH_API_INTERNAL', message: 'internal error', details: {} } },
      headers: {},
      internal: true,
    };
  }
  const status = statusFor(err);
  const headers: Record<string, string> = {};
  if (err instanceof MethodNotAllowedError) headers['allow'] = err.allow.join(', ');
  if (status === 401) headers['www-authenticate'] = 'Bearer';
  if (status === 503) headers['retry-after'] = '1';
  return {
    status,
    body: { error: { code: err.code, message: err.message, details: { ...err.details } } },
    headers,
    internal: false,
  };
}

function statusFor(err: OyaError): number {
  const known = (STATUS_BY_CODE as Record<string, number>)[err.code];
  if (known !== undefined) return known;
  const own = (err as { httpStatus?: unknown }).httpStatus;
  if (typeof own === 'number' && Number.isInteger(own) && own >= 400 && own <= 599) return own;
  for (const [pattern, status] of STATUS_BY_CODE_PATTERN) if (pattern.test(err.code)) return status;
  // A deliberate error we cannot classify: if trying again may help it is unavailability, else ours.
  return err.retryable ? 503 : 500;
}

function summarise(issues: Array<{ path: string; message: string }>): string {
  const shown = issues.slice(0, 3).map((i) => (i.path ? `${i.path}: ${i.message}` : i.message));
  return shown.join('; ') + (issues.length > 3 ? ` (+${issues.length - 3} more)` : '');
}
