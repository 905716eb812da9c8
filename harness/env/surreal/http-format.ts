/**
 * The two body formats of SurrealDB's HTTP API, CBOR and JSON, chosen by Content-Type (request)
 * and Accept (response) as `surreal start` does.
 *
 * The engine speaks CBOR only, so a JSON request is re-encoded as CBOR (JSON has no tags: every
 * value arrives as a plain string, number, array or object, as SurrealDB's JSON format reads it),
 * and a CBOR answer is rendered as JSON the way SurrealDB renders its values as JSON: record ids,
 * uuids, datetimes and durations as strings, NONE as null, geometries as GeoJSON.
 */
import { decode, encode, Tagged } from '@surrealdb/cbor';

/** A body format the HTTP API reads and writes. */
export type BodyFormat = 'cbor' | 'json';

const MEDIA: Record<BodyFormat, string> = { cbor: 'application/cbor', json: 'application/json' };

/** The Content-Type to answer with for a format. */
export function mediaType(format: BodyFormat): string {
  return MEDIA[format];
}

/**
 * The format named by a Content-Type or Accept header; `fallback` when the header is absent or
 * `*\/*`, undefined when it names something else (the caller answers 415 or 406).
 */
export function formatOf(header: string | undefined, fallback: BodyFormat): BodyFormat | undefined {
  if (!header || header.trim() === '') return fallback;
  for (const part of header.split(',')) {
    const type = part.split(';')[0]!.trim().toLowerCase();
    if (type === 'application/cbor') return 'cbor';
    if (type === 'application/json') return 'json';
    if (type === '*/*' || type === 'application/*') return fallback;
  }
  return undefined;
}

/** Thrown when a body cannot be read in its declared format. */
export class BodyFormatError extends Error {}

/** A request body (CBOR or JSON) as the CBOR the engine reads. */
export function bodyToCbor(body: Uint8Array, format: BodyFormat): Uint8Array {
  if (format === 'cbor') return body;
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(body).toString('utf8'));
  } catch (err) {
    throw new BodyFormatError(`invalid JSON body: ${(err as Error).message}`);
  }
  return encode(value);
}

/** An engine answer (CBOR) in the format the client accepts. */
export function cborToBody(answer: Uint8Array, format: BodyFormat): Uint8Array {
  if (format === 'cbor') return answer;
  return Buffer.from(JSON.stringify(toJsonValue(decode(answer))), 'utf8');
}

/** A value decoded from SurrealDB's CBOR, as SurrealDB writes it in JSON. */
export function toJsonValue(value: unknown): unknown {
  if (value instanceof Tagged) return taggedToJson(value);
  if (value === undefined) return null;
  if (typeof value === 'bigint') return Number.isSafeInteger(Number(value)) ? Number(value) : value.toString();
  if (value instanceof Uint8Array || value instanceof ArrayBuffer) return Array.from(new Uint8Array(value as ArrayBuffer));
  if (Array.isArray(value)) return value.map(toJsonValue);
  if (value instanceof Map) return Object.fromEntries([...value].map(([k, v]) => [String(k), toJsonValue(v)]));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, toJsonValue(v)]));
  }
  return value;
}

// Tag numbers of SurrealDB's CBOR protocol (https://surrealdb.com/docs/surrealdb/integration/cbor).
const TAG = {
  datetimeText: 0,
  none: 6,
  table: 7,
  recordId: 8,
  uuidText: 9,
  decimalText: 10,
  datetime: 12,
  durationText: 13,
  duration: 14,
  future: 15,
  uuid: 37,
  range: 49,
  included: 50,
  excluded: 51,
  point: 88,
  line: 89,
  polygon: 90,
  multiPoint: 91,
  multiLine: 92,
  multiPolygon: 93,
  collection: 94,
} as const;

const GEOMETRY: Record<number, string> = {
  [TAG.point]: 'Point',
  [TAG.line]: 'LineString',
  [TAG.polygon]: 'Polygon',
  [TAG.multiPoint]: 'MultiPoint',
  [TAG.multiLine]: 'MultiLineString',
  [TAG.multiPolygon]: 'MultiPolygon',
};

function taggedToJson(tagged: Tagged): unknown {
  const { tag, value } = tagged as { tag: number; value: unknown };
  switch (tag) {
    case TAG.none:
      return null;
    case TAG.datetimeText:
    case TAG.table:
    case TAG.uuidText:
    case TAG.decimalText:
    case TAG.durationText:
      return String(value);
    case TAG.recordId:
      return recordIdText(value as [unknown, unknown]);
    case TAG.uuid:
      return uuidText(new Uint8Array(value as ArrayBuffer));
    case TAG.datetime:
      return datetimeText(value as [number | bigint, number?]);
    case TAG.duration:
      return durationText(value as [(number | bigint)?, number?]);
    case TAG.future:
      return `<future> { ${String(toJsonValue(value))} }`;
    case TAG.range:
      return rangeText(value as [unknown, unknown]);
    case TAG.included:
    case TAG.excluded:
      return toJsonValue(value);
    case TAG.collection:
      return { type: 'GeometryCollection', geometries: (value as unknown[]).map(toJsonValue) };
    default: {
      if (GEOMETRY[tag]) return { type: GEOMETRY[tag], coordinates: coordinates(value) };
      return toJsonValue(value);
    }
  }
}

/** GeoJSON coordinates from nested point tags. */
function coordinates(value: unknown): unknown {
  if (value instanceof Tagged) return coordinates((value as { value: unknown }).value);
  return Array.isArray(value) ? value.map(coordinates) : value;
}

/** An identifier as SurrealQL prints it: bare when simple, else between ⟨ ⟩. */
function ident(text: string): string {
  return /^[A-Za-z0-9_]+$/.test(text) && !/^\d+$/.test(text) ? text : `⟨${text.replaceAll('⟩', '\\⟩')}⟩`;
}

function recordIdText([table, id]: [unknown, unknown]): string {
  const key = typeof id === 'string' ? ident(id) : typeof id === 'number' || typeof id === 'bigint' ? String(id) : JSON.stringify(toJsonValue(id));
  return `${ident(String(table))}:${key}`;
}

function uuidText(bytes: Uint8Array): string {
  const hex = Buffer.from(bytes).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

function datetimeText([seconds, nanos = 0]: [number | bigint, number?]): string {
  const ms = Number(seconds) * 1000;
  const iso = new Date(ms).toISOString(); // 2024-01-01T00:00:00.000Z
  const fraction = nanos ? `.${String(nanos).padStart(9, '0').replace(/0+$/, '')}` : '';
  return `${iso.slice(0, 19)}${fraction}Z`;
}

const DURATION_UNITS: Array<[string, bigint]> = [
  ['y', 365n * 86_400n * 1_000_000_000n],
  ['w', 7n * 86_400n * 1_000_000_000n],
  ['d', 86_400n * 1_000_000_000n],
  ['h', 3_600n * 1_000_000_000n],
  ['m', 60n * 1_000_000_000n],
  ['s', 1_000_000_000n],
  ['ms', 1_000_000n],
  ['µs', 1_000n],
  ['ns', 1n],
];

function durationText([seconds = 0, nanos = 0]: [(number | bigint)?, number?]): string {
  let rest = BigInt(seconds) * 1_000_000_000n + BigInt(nanos);
  if (rest === 0n) return '0ns';
  let out = '';
  for (const [unit, size] of DURATION_UNITS) {
    if (rest >= size) {
      out += `${rest / size}${unit}`;
      rest %= size;
    }
  }
  return out;
}

function rangeText([begin, end]: [unknown, unknown]): string {
  const bound = (b: unknown): { tag: number; text: string } | undefined =>
    b instanceof Tagged ? { tag: (b as { tag: number }).tag, text: JSON.stringify(toJsonValue((b as { value: unknown }).value)) } : undefined;
  const left = bound(begin);
  const right = bound(end);
  const from = left ? `${left.text}${left.tag === TAG.excluded ? '>' : ''}` : '';
  const to = right ? `${right.tag === TAG.included ? '=' : ''}${right.text}` : '';
  return `${from}..${to}`;
}
