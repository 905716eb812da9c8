/**
 * The base of every error Oya raises on purpose.
 *
 * Each error is a class with a stable `code` (`ORCH_*` for the orchestrator, `HARN_*` for the
 * harness). Codes are never reused or renamed: callers, tests and API clients match on `code`,
 * never on the message. Every code is listed in system/ERRORS.md (a unit test checks it).
 *
 * `retryable` says whether the same operation may succeed if tried again unchanged (a timeout,
 * an unreachable DB) or never will (bad input, a cycle): retries are decided from data, not from
 * the error's class name at the call site.
 */
export class OyaError extends Error {
  readonly code: string;
  readonly retryable: boolean;
  readonly details: Readonly<Record<string, unknown>>;

  constructor(code: string, message: string, options: { retryable?: boolean; details?: Record<string, unknown>; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.retryable = options.retryable ?? false;
    this.details = Object.freeze({ ...(options.details ?? {}) });
  }

  /** A plain object safe to send as JSON (API error bodies, report witnesses). */
  toJSON(): { code: string; message: string; retryable: boolean; details: Record<string, unknown> } {
    return { code: this.code, message: this.message, retryable: this.retryable, details: { ...this.details } };
  }
}

/** The message of anything thrown: an Error's message, else its string form (a thrown string, a number, null). */
export function errorMessage(err: unknown): string {
  if (err instanceof Error) return err.message;
  if (typeof err === 'object' && err !== null && typeof (err as { message?: unknown }).message === 'string') return (err as { message: string }).message;
  return String(err);
}

/** True when `err` is an OyaError with the given code (works across module copies). */
export function hasCode(err: unknown, code: string): boolean {
  return typeof err === 'object' && err !== null && (err as { code?: unknown }).code === code;
}
