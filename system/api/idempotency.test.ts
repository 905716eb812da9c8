/** The canonical JSON behind request fingerprints: key order never matters, depth never crashes. */
import { describe, expect, it } from 'vitest';
import { assertDepthAtMost } from './body.ts';
import { canonicalJson, sortKeys } from './idempotency.ts';

describe('canonicalJson', () => {
  it('sorts keys at every level, keeps array order, drops undefined members like JSON.stringify', () => {
    const a = { b: [{ z: 1, y: [3, { d: 1, c: 2 }] }, null], a: 'x', u: undefined };
    const b = { a: 'x', b: [{ y: [3, { c: 2, d: 1 }], z: 1 }, null] };
    expect(canonicalJson(a)).toBe('{"a":"x","b":[{"y":[3,{"c":2,"d":1}],"z":1},null]}');
    expect(canonicalJson(a)).toBe(canonicalJson(b));
    expect(canonicalJson([undefined, 1])).toBe('[null,1]');
    expect(canonicalJson('s')).toBe('"s"');
    expect(canonicalJson({ x: [{ b: 1, a: 2 }] })).not.toBe(canonicalJson({ x: [{ b: 2, a: 1 }] }));
  });

  it('sorts a value 50,000 levels deep without overflowing the stack (the walk is iterative)', () => {
    let deep: Record<string, unknown> = { z: 1, a: 2 };
    for (let i = 0; i < 50_000; i++) deep = { next: deep, k: i };
    const sorted = sortKeys(deep) as Record<string, unknown>;
    let levels = 0;
    let node: Record<string, unknown> = sorted;
    while ('next' in node) {
      expect(Object.keys(node)).toEqual(['k', 'next']);
      node = node.next as Record<string, unknown>;
      levels += 1;
    }
    expect(levels).toBe(50_000);
    expect(Object.keys(node)).toEqual(['a', 'z']);
  });

  it('assertDepthAtMost counts containers, not scalars, and refuses one level over', () => {
    expect(() => assertDepthAtMost(5, 0)).not.toThrow();
    expect(() => assertDepthAtMost({ a: [1] }, 2)).not.toThrow();
    expect(() => assertDepthAtMost({ a: [[]] }, 2)).toThrow(expect.objectContaining({ code: 'ORCH_API_INVALID_BODY' }));
  });
});
