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

/**
 * A copy of `value` with object keys sorted at every level. Iterative (an explicit stack of
 * containers still to fill) so that no input depth can overflow the call stack; bodies are
 * depth-limited on arrival (./body.ts), this does not rely on it.
 */
export function sortKeys(value: unknown): unknown {
  const copyOf = (v: unknown): unknown => (Array.isArray(v) ? [] : v !== null && typeof v === 'object' ? {} : v);
  const root = copyOf(value);
  const pending: Array<{ from: object; to: Record<string, unknown> | unknown[] }> = [];
  if (root !== value) pending.push({ from: value as object, to: root as Record<string, unknown> | unknown[] });
  while (pending.length > 0) {
    const { from, to } = pending.pop()!;
    if (Array.isArray(from)) {
      const out = to as unknown[];
      for (const item of from) {
        // JSON.stringify writes undefined in an array as null: keep it so the text is unchanged.
        const copy = copyOf(item);
        out.push(copy);
        if (copy !== item) pending.push({ from: item as object, to: copy as Record<string, unknown> | unknown[] });
      }
    } else {
      const out = to as Record<string, unknown>;
      for (const key of Object.keys(from).sort()) {
        const item = (from as Record<string, unknown>)[key];
        if (item === undefined) continue;
        const copy = copyOf(item);
        out[key] = copy;
        if (copy !== item) pending.push({ from: item as object, to: copy as Record<string, unknown> | unknown[] });
      }
    }
  }
  return root;
}
