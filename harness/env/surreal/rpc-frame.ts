/**
 * Just enough CBOR to proxy SurrealDB RPC frames without re-encoding their values.
 *
 * A request is a CBOR map `{id, method, params, session?, txn?}`. The server only needs to read
 * `id`, `method` and `session`, and to replace `session`. We split the top-level map into raw
 * byte slices per key and rebuild it from those slices, so every value (tags the server does not
 * know, float widths, big integers) goes back to the engine byte for byte.
 */
import { decode, encode, Encoded } from '@surrealdb/cbor';

/** A top-level CBOR map as `key → raw encoded value`, in the original order. */
export type RawMap = Map<string, Uint8Array>;

/** Thrown on malformed CBOR; the server answers it with a parse error, it never crashes. */
export class CborFrameError extends Error {}

/** Returns the offset just past the CBOR data item starting at `pos`. */
export function skipItem(buf: Uint8Array, pos: number): number {
  if (pos >= buf.length) throw new CborFrameError('truncated CBOR');
  const initial = buf[pos]!;
  const major = initial >> 5;
  const info = initial & 31;
  let p = pos + 1;
  let length = 0;
  if (info < 24) length = info;
  else if (info === 24) {
    length = buf[p]!;
    p += 1;
  } else if (info === 25) {
    length = (buf[p]! << 8) | buf[p + 1]!;
    p += 2;
  } else if (info === 26) {
    length = new DataView(buf.buffer, buf.byteOffset + p, 4).getUint32(0);
    p += 4;
  } else if (info === 27) {
    length = Number(new DataView(buf.buffer, buf.byteOffset + p, 8).getBigUint64(0));
    p += 8;
  } else if (info === 31) {
    if (major === 7) return p; // "break" is handled by the indefinite loops below
    if (major < 2 || major === 6) throw new CborFrameError('indefinite length not allowed here');
    while (buf[p] !== 0xff) {
      if (p >= buf.length) throw new CborFrameError('truncated indefinite item');
      p = skipItem(buf, p);
      if (major === 5) p = skipItem(buf, p);
    }
    return p + 1;
  } else throw new CborFrameError(`reserved additional info ${info}`);
  if (p > buf.length) throw new CborFrameError('truncated CBOR');
  switch (major) {
    case 0:
    case 1:
    case 7:
      return p; // integers and simple values / floats carry no payload beyond `length`
    case 2:
    case 3: {
      if (p + length > buf.length) throw new CborFrameError('truncated string');
      return p + length;
    }
    case 4:
      for (let i = 0; i < length; i++) p = skipItem(buf, p);
      return p;
    case 5:
      for (let i = 0; i < length; i++) p = skipItem(buf, skipItem(buf, p));
      return p;
    case 6:
      return skipItem(buf, p);
    default:
      throw new CborFrameError(`bad major ${major}`);
  }
}

/** Splits a CBOR map with string keys into raw value slices; null when the item is not such a map. */
export function splitMap(buf: Uint8Array): RawMap | null {
  if (buf.length === 0 || buf[0]! >> 5 !== 5) return null;
  const end = skipItem(buf, 0);
  if (end !== buf.length) throw new CborFrameError('trailing bytes after the frame');
  const out: RawMap = new Map();
  const indefinite = (buf[0]! & 31) === 31;
  // Header size: re-use skipItem's length parsing by measuring from the first key.
  let p = headerLength(buf);
  while (indefinite ? buf[p] !== 0xff : p < end) {
    const keyEnd = skipItem(buf, p);
    const key: unknown = decode(buf.subarray(p, keyEnd));
    const valueEnd = skipItem(buf, keyEnd);
    if (typeof key !== 'string') return null;
    out.set(key, buf.subarray(keyEnd, valueEnd));
    p = valueEnd;
  }
  return out;
}

function headerLength(buf: Uint8Array): number {
  const info = buf[0]! & 31;
  if (info < 24 || info === 31) return 1;
  return 1 + (1 << (info - 24));
}

/** Builds a CBOR map from raw value slices (the inverse of splitMap). */
export function joinMap(map: RawMap): Uint8Array {
  const obj: Record<string, Encoded> = {};
  for (const [key, raw] of map) obj[key] = new Encoded(raw);
  return encode(obj);
}

/** Decodes a raw slice that should be a text string; undefined otherwise. */
export function rawText(raw: Uint8Array | undefined): string | undefined {
  if (!raw || raw.length === 0 || raw[0]! >> 5 !== 3) return undefined;
  return decode(raw) as string;
}

/** True when the slice is CBOR null or undefined (absent value). */
export function isRawNone(raw: Uint8Array | undefined): boolean {
  // 0xf6 null, 0xf7 undefined, 0xc6f6 = SurrealDB's NONE (tag 6 around null).
  if (!raw) return true;
  return (raw.length === 1 && (raw[0] === 0xf6 || raw[0] === 0xf7)) || (raw.length === 2 && raw[0] === 0xc6 && raw[1] === 0xf6);
}

/** A stable string key for a raw value (used to index sessions by their encoded UUID). */
export function rawKey(raw: Uint8Array): string {
  return Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength).toString('hex');
}

/** CBOR of a SurrealDB UUID (tag 37 around 16 bytes). */
export function encodeUuid(bytes: Uint8Array): Uint8Array {
  const out = new Uint8Array(3 + 16);
  out[0] = 0xd8;
  out[1] = 37;
  out[2] = 0x50; // tag(37), bytes(16)
  out.set(bytes.subarray(0, 16), 3);
  return out;
}

/**
 * Wraps the engine's bare answer in the envelope a SurrealDB server sends: `{id, result}`, or
 * `{id, error}` when the engine answered `{error}` (a map whose only key is `error`).
 */
export function wrapResponse(id: Uint8Array | undefined, answer: Uint8Array): Uint8Array {
  const envelope: RawMap = new Map();
  if (id) envelope.set('id', id);
  const asMap = answer.length > 0 && answer[0]! >> 5 === 5 ? splitMap(answer) : null;
  if (asMap && asMap.size === 1 && asMap.has('error')) envelope.set('error', asMap.get('error')!);
  else envelope.set('result', answer);
  return joinMap(envelope);
}

/** `{id, error: {code, message}}` for errors the proxy raises itself (parse errors, auth gate). */
export function errorResponse(id: Uint8Array | undefined, code: number, message: string, kind = 'Internal'): Uint8Array {
  const envelope: RawMap = new Map();
  if (id) envelope.set('id', id);
  envelope.set('error', encode({ code, message, kind }));
  return joinMap(envelope);
}

/** Encodes any plain value (used for tiny server-made answers). */
export function encodeValue(value: unknown): Uint8Array {
  return encode(value);
}
