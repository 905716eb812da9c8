import { describe, expect, it } from 'vitest';
import { decode, encode, Tagged } from '@surrealdb/cbor';
import { CborFrameError, errorResponse, joinMap, skipItem, splitMap, wrapResponse } from './rpc-frame.ts';

describe('rpc-frame', () => {
  it('splits and rejoins a request byte for byte, keeping unknown tags and float widths', () => {
    // float32 1.5 (0xfa3fc00000) and tag 9999 would change if decoded and re-encoded by a codec.
    const params = Uint8Array.from([0x82, 0xfa, 0x3f, 0xc0, 0x00, 0x00, 0xd9, 0x27, 0x0f, 0x63, 0x61, 0x62, 0x63]);
    const frame = Uint8Array.from([
      0xa3 /* map(3) */,
      ...encode('id'),
      ...encode('7'),
      ...encode('method'),
      ...encode('query'),
      ...encode('params'),
      ...params,
    ]);
    const map = splitMap(frame)!;
    expect([...map.keys()]).toEqual(['id', 'method', 'params']);
    expect(Buffer.from(map.get('params')!)).toEqual(Buffer.from(params));
    expect(Buffer.from(joinMap(map))).toEqual(Buffer.from(frame));
    const decoded: unknown = decode(map.get('params')!);
    expect(Array.isArray(decoded) && decoded[1]).toBeInstanceOf(Tagged);
  });

  it('skips indefinite-length items', () => {
    const indefinite = Uint8Array.from([0x9f, 0x01, 0x7f, 0x61, 0x61, 0xff, 0xff, 0x02]); // [_ 1, (_ "a")] then 2
    expect(skipItem(indefinite, 0)).toBe(7);
  });

  it('rejects truncated and trailing bytes with CborFrameError', () => {
    const frame = encode({ id: '1', method: 'ping' });
    expect(() => splitMap(frame.subarray(0, frame.length - 1))).toThrow(CborFrameError);
    expect(() => splitMap(Uint8Array.from([...frame, 0x00]))).toThrow(CborFrameError);
    expect(splitMap(encode([1, 2]))).toBeNull();
  });

  it('wraps a bare answer as {id, result} and an {error} answer as {id, error}', () => {
    const id = encode('abc');
    expect(decode(wrapResponse(id, encode({ a: 1 })))).toEqual({ id: 'abc', result: { a: 1 } });
    // A record that merely has an `error` field is a result, not an error.
    expect(decode(wrapResponse(id, encode({ error: 'x', id: 1 })))).toEqual({ id: 'abc', result: { error: 'x', id: 1 } });
    expect(decode(wrapResponse(id, encode({ error: { code: -1, message: 'no' } })))).toEqual({ id: 'abc', error: { code: -1, message: 'no' } });
    expect(decode(errorResponse(id, -32700, 'Parse error'))).toEqual({ id: 'abc', error: { code: -32700, message: 'Parse error', kind: 'Internal' } });
  });
});
