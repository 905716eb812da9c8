import { OyaError } from '../../../system/errors.ts';

/**
 * An error the Toxiproxy HTTP API answers with: `status` is the HTTP status and `message` is the
 * exact text Toxiproxy 2.12 puts in `{"error":"<message>","status":<status>}`.
 */
export class ToxiproxyApiError extends OyaError {
  readonly status: number;

  constructor(message: string, status: number) {
    super('HARN_TOXIPROXY_API', message, { details: { status } });
    this.status = status;
  }
}

/** The embedded server could not bind its HTTP API address (port taken, bad host). */
export class ToxiproxyListenError extends OyaError {
  constructor(message: string, details: Record<string, unknown>, cause?: unknown) {
    super('HARN_TOXIPROXY_LISTEN', message, { details, cause, retryable: true });
  }
}

/** The `--config` file could not be read, parsed or applied (same JSON array as POST /populate). */
export class ToxiproxyConfigError extends OyaError {
  constructor(message: string, details: Record<string, unknown>, cause?: unknown) {
    super('HARN_TOXIPROXY_CONFIG', message, { details, cause });
  }
}

/** The fixed Toxiproxy error texts (api.go), so handlers and tests share one spelling. */
export const API_ERRORS = {
  proxyNotFound: () => new ToxiproxyApiError('proxy not found', 404),
  proxyExists: () => new ToxiproxyApiError('proxy already exists', 409),
  toxicNotFound: () => new ToxiproxyApiError('toxic not found', 404),
  toxicExists: () => new ToxiproxyApiError('toxic already exists', 409),
  invalidStream: () => new ToxiproxyApiError('stream was invalid, can be either upstream or downstream', 400),
  invalidToxicType: () => new ToxiproxyApiError('invalid toxic type', 400),
  missingField: (what: string) => new ToxiproxyApiError(`missing required field: ${what}`, 400),
  badBody: (detail: string) => new ToxiproxyApiError(`bad request body: ${detail}`, 400),
} as const;
