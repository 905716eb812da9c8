/**
 * Checks an append before anything is written, so a bad event is rejected whole ("nothing is
 * partly written"): the stream name, the idempotency key, the event type for that stream family,
 * the data against its schema, and that the data is plain JSON.
 */
import { beadEventSchemas, workflowEventSchemas, type EventType, type PendingEvent, type StreamKind } from './types.ts';
import { EventInvalidError, IdempotencyKeyInvalidError, StreamInvalidError } from './errors.ts';

const STREAM_PATTERN = /^(bead|workflow):[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/;
// Printable, no control characters: keys end up in logs, URLs and the outbox's JSON lines.
// eslint-disable-next-line no-control-regex -- the class names the control characters a key may not hold
const KEY_PATTERN = /^[^\x00-\x1f\x7f]{1,256}$/;
/** Events are small facts; big blobs belong elsewhere. 1 MiB of JSON. */
export const MAX_EVENT_DATA_BYTES = 1024 * 1024;
const MAX_DEPTH = 64;

/** The family of a valid stream name; throws ORCH_STREAM_INVALID otherwise. */
export function parseStream(stream: unknown): StreamKind {
  if (typeof stream !== 'string' || !STREAM_PATTERN.test(stream)) {
    throw new StreamInvalidError(
      `stream must look like "bead:<id>" or "workflow:<id>" (id: letters, digits, . _ : -, at most 128), got ${JSON.stringify(stream)}`,
      { stream: typeof stream === 'string' ? stream : String(stream) },
    );
  }
  return stream.startsWith('bead:') ? 'bead' : 'workflow';
}

/** Throws ORCH_IDEMPOTENCY_KEY_INVALID unless `key` is 1–256 printable characters. */
export function checkIdempotencyKey(key: unknown): asserts key is string {
  if (typeof key !== 'string' || !KEY_PATTERN.test(key) || key.trim() === '') {
    throw new IdempotencyKeyInvalidError('idempotencyKey must be a non-blank string of 1–256 characters without control characters', {
      key: typeof key === 'string' ? key.slice(0, 300) : String(key),
    });
  }
}

/** Throws ORCH_EVENT_INVALID naming the path of the first value that JSON cannot carry faithfully. */
export function checkPlainJson(value: unknown, path = 'data', seen = new Set<object>(), depth = 0): void {
  if (depth > MAX_DEPTH) throw new EventInvalidError(`${path}: nested deeper than ${MAX_DEPTH} levels`, { path });
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return;
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new EventInvalidError(`${path}: ${value} is not a finite number`, { path });
    // The SDK's CBOR encoder sends integral numbers as integers and fails beyond 64 bits; beyond
    // 2^53 JSON readers lose precision anyway. Big ids belong in strings.
    if (Number.isInteger(value) && !Number.isSafeInteger(value)) {
      throw new EventInvalidError(`${path}: ${value} is an integer beyond ±2^53; send it as a string`, { path });
    }
    return;
  }
  if (typeof value !== 'object') {
    throw new EventInvalidError(`${path}: a ${typeof value} is not JSON-serialisable`, { path });
  }
  if (seen.has(value)) throw new EventInvalidError(`${path}: circular reference`, { path });
  seen.add(value);
  if (Array.isArray(value)) {
    value.forEach((item, i) => {
      if (item === undefined) throw new EventInvalidError(`${path}[${i}]: undefined is not JSON`, { path: `${path}[${i}]` });
      checkPlainJson(item, `${path}[${i}]`, seen, depth + 1);
    });
  } else {
    // A class instance's prototype may lack a constructor (Object.create(Object.create(null))).
    const proto = Object.getPrototypeOf(value) as { constructor?: { name?: string } } | null;
    if (proto !== Object.prototype && proto !== null) {
      throw new EventInvalidError(`${path}: a ${proto.constructor?.name ?? 'non-plain'} object is not plain JSON (convert it first)`, { path });
    }
    for (const [k, v] of Object.entries(value)) {
      // An undefined property is an absent optional field: JSON drops it, which is what the caller meant.
      if (v !== undefined) checkPlainJson(v, `${path}.${k}`, seen, depth + 1);
    }
  }
  seen.delete(value);
}

/**
 * Validates one append and returns the normalised pending event (data after a JSON round trip,
 * `at` stamped). Throws ORCH_STREAM_INVALID, ORCH_IDEMPOTENCY_KEY_INVALID or ORCH_EVENT_INVALID.
 */
export function validateAppend(stream: unknown, event: unknown, idempotencyKey: unknown, now: Date): PendingEvent {
  const kind = parseStream(stream);
  checkIdempotencyKey(idempotencyKey);
  if (typeof event !== 'object' || event === null) throw new EventInvalidError('event must be an object {type, data}');
  const { type, data } = event as { type?: unknown; data?: unknown };
  const schemas: Record<string, { safeParse(v: unknown): { success: boolean; error?: { issues: unknown[] } } }> =
    kind === 'bead' ? beadEventSchemas : workflowEventSchemas;
  if (typeof type !== 'string' || !Object.hasOwn(schemas, type)) {
    throw new EventInvalidError(`unknown ${kind} event type ${JSON.stringify(type)}; known: ${Object.keys(schemas).join(', ')}`, {
      type: String(type),
      stream,
    });
  }
  checkPlainJson(data);
  const json = JSON.stringify(data);
  if (Buffer.byteLength(json) > MAX_EVENT_DATA_BYTES) {
    throw new EventInvalidError(`data is larger than ${MAX_EVENT_DATA_BYTES} bytes of JSON`, { type });
  }
  const normalised: unknown = JSON.parse(json);
  const parsed = schemas[type]!.safeParse(normalised);
  if (!parsed.success) {
    throw new EventInvalidError(`${type} data does not match its schema`, { type, issues: parsed.error?.issues ?? [] });
  }
  return { stream: stream as string, type: type as EventType, data: normalised, idempotencyKey, at: now.toISOString() };
}
