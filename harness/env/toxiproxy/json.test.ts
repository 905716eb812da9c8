import { describe, expect, it } from 'vitest';
import { decodeStruct, float32, goMarshal, parseFirstJsonValue } from './json.ts';

describe('Go-flavoured JSON', () => {
  it('reads only the first value and reports empty and cut-off bodies like Go', () => {
    expect(parseFirstJsonValue(' {"a":1} trailing garbage')).toEqual({ kind: 'object', entries: [['a', { kind: 'number', raw: '1' }]] });
    expect(() => parseFirstJsonValue('  ')).toThrow(/^EOF$/);
    expect(() => parseFirstJsonValue('{"a":')).toThrow(/^unexpected EOF$/);
    expect(() => parseFirstJsonValue('x')).toThrow("invalid character 'x' looking for beginning of value");
  });

  it('matches keys case-insensitively, skips null and unknown keys, and rejects 1.5 for int64', () => {
    const target: Record<string, unknown> = { latency: 5, jitter: 7 };
    decodeStruct(parseFirstJsonValue('{"LATENCY":100,"jitter":null,"other":1}'), 'Latency', { latency: 'int64', jitter: 'int64' }, target);
    expect(target).toEqual({ latency: 100, jitter: 7 });
    expect(() => decodeStruct(parseFirstJsonValue('{"latency":1.5}'), 'Latency', { latency: 'int64' }, {})).toThrow(
      'json: cannot unmarshal number 1.5 into Go struct field Latency.latency of type int64',
    );
    expect(() => decodeStruct(parseFirstJsonValue('{"latency":"1"}'), 'Latency', { latency: 'int64' }, {})).toThrow('cannot unmarshal string');
  });

  it('keeps earlier fields after a type error, as Go does', () => {
    const target: Record<string, unknown> = {};
    expect(() => decodeStruct(parseFirstJsonValue('{"a":"x","b":2}'), 'S', { a: 'int64', b: 'int64' }, target)).toThrow();
    expect(target).toEqual({ b: 2 });
  });

  it('prints float32 the short way and escapes HTML characters', () => {
    expect(float32(0.2)).toBe(0.2);
    expect(float32(1 / 3)).toBe(0.33333334);
    expect(goMarshal({ a: '<b>&' })).toBe('{"a":"\\u003cb\\u003e\\u0026"}');
  });
});
