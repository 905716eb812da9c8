import { describe, expect, it } from 'vitest';
import { fnv1a64 } from './fingerprint.ts';
import { mulberry32 } from './random.ts';
import { httpDate, isoTimestamp } from './utc-text.ts';

describe('isoTimestamp / httpDate', () => {
  const edges = [
    0, // 1970-01-01, a Thursday
    -1, // 1969-12-31T23:59:59.999Z
    Date.UTC(2000, 1, 29, 12, 30, 15, 7), // leap day of a year divisible by 400
    Date.UTC(2100, 1, 28, 23, 59, 59, 999), // 2100 is not a leap year
    Date.UTC(2100, 2, 1),
    Date.UTC(2024, 11, 31, 23, 59, 59, 999),
    Date.UTC(9999, 11, 31, 23, 59, 59, 999),
    Date.UTC(10_000, 0, 1), // six-digit ISO year
    -62_198_755_200_000, // year -0001 in ISO
    -62_167_219_200_000, // 0000-01-01T00:00:00.000Z
  ];

  it('gives the same text as Date at the edges of months, leap years and the ISO year format', () => {
    for (const ms of edges) {
      expect(isoTimestamp(ms), String(ms)).toBe(new Date(ms).toISOString());
      const year = new Date(ms).getUTCFullYear();
      if (year >= 0 && year <= 9999) expect(httpDate(ms), String(ms)).toBe(new Date(ms).toUTCString());
    }
  });

  it('gives the same text as Date for 20,000 random instants between 1900 and 2200', () => {
    const random = mulberry32(12);
    const from = Date.UTC(1900, 0, 1);
    const span = Date.UTC(2200, 0, 1) - from;
    for (let i = 0; i < 20_000; i++) {
      const ms = from + Math.floor(random() * span);
      expect(isoTimestamp(ms)).toBe(new Date(ms).toISOString());
      expect(httpDate(ms)).toBe(new Date(ms).toUTCString());
    }
  });

  it('refuses what is not an integer number of milliseconds', () => {
    expect(() => isoTimestamp(1.5)).toThrow(RangeError);
    expect(() => httpDate(Number.NaN)).toThrow(/safe integer/);
  });
});

describe('fnv1a64', () => {
  it('matches the published FNV-1a 64-bit test vectors', () => {
    expect(fnv1a64('')).toBe('cbf29ce484222325');
    expect(fnv1a64('a')).toBe('af63dc4c8601ec8c');
    expect(fnv1a64('foobar')).toBe('85944171f73967e8');
  });

  it('hashes UTF-8 bytes, so non-ASCII text is not folded onto ASCII', () => {
    expect(fnv1a64('é')).not.toBe(fnv1a64('e9'));
    expect(fnv1a64('é')).toMatch(/^[0-9a-f]{16}$/);
  });

  it('spreads the simulated agent’s keys: no collision among 100,000 of them', () => {
    const seen = new Set<string>();
    for (let seed = 0; seed < 10_000; seed++) for (let step = 0; step < 10; step++) seen.add(fnv1a64(`oya-sim:${seed}:${step}`));
    expect(seen.size).toBe(100_000);
  });
});
