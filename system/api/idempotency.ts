/**
 * Idempotent submits: which key a request is deduplicated by, and the fingerprint that tells a
 * retry (same body) from a key reused for something else (different body → 409).
 *
 * The API computes both; the service stores them durably with the beads it creates (see
 * SubmitOptions in ./service.ts). The fingerprint is taken AFTER validation, so defaults filled in
 * and key order do not matter: `{"title":"a"}` and `{"priority":2,"title":"a"}` are one request.
 */
import { createHash } from 'node:crypto';
import { InvalidBodyError } from './errors.ts';
import type { SubmitRequest } from './schemas.ts';

/** Header values longer than this are refused: keys are stored in the log and an index. */
export const MAX_IDEMPOTENCY_KEY_LENGTH = 200;

/**
 * The key a submit is deduplicated by: the `Idempotency-Key` header if present, else the
 * client-given id (`bead:<id>` / `workflow:<id>`), else undefined (ids are assigned; not retry-safe).
 */
export function effectiveIdempotencyKey(header: string | undefined, req: SubmitRequest): string | undefined {
  if (header !== undefined) {
    const key = header.trim();
    if (key.length === 0 || key.length > MAX_IDEMPOTENCY_KEY_LENGTH) {
      throw new InvalidBodyError([{ path: 'Idempotency-Key', message: `header must be 1-${MAX_IDEMPOTENCY_KEY_LENGTH} characters` }]);
    }
    return `key:${key}`;
  }
  if (req.kind === 'bead' && req.bead.id !== undefined) return `bead:${req.bead.id}`;
  if (req.kind === 'workflow' && req.workflow.id !== undefined) return `workflow:${req.workflow.id}`;
  return undefined;
}

/** sha256 (hex) of the canonical JSON of a validated request. */
export function requestFingerprint(req: SubmitRequest): string {
  return createHash('sha256').update(canonicalJson(req)).digest('hex');
}

/** JSON with object keys sorted at every level, so equal values give equal text. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortKeys(value));
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value).sort()) {
      const v = (value as Record<string, unknown>)[key];
      if (v !== undefined) out[key] = sortKeys(v);
    }
    return out;
  }
  return value;
}
