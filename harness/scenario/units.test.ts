import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { durationSchema, formatDuration, formatRate, parseBytes, parseDuration, parsePercent, parseRate, rateSchema, UnitSyntaxError } from './units.ts';

describe('durations', () => {
  it.each([
    ['500ms', 500],
    ['10s', 10_000],
    ['2m', 120_000],
    ['1h', 3_600_000],
    ['1m30s', 90_000],
    ['1h2m3s4ms', 3_723_004],
    ['1.5s', 1_500],
    ['0s', 0],
  ])('parses %s as %d ms', (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
  });

  it.each(['10', '10 s', 's', '', '1s1m', '1m1m', '-1s', '10sec', '1d', '1.s'])('refuses %j, naming the value and the allowed forms', (text) => {
    expect(() => parseDuration(text)).toThrow(UnitSyntaxError);
    expect(() => parseDuration(text)).toThrow(new RegExp(`"${text}".*500ms, 10s, 2m, 1h, 1m30s`));
  });

  it('round-trips every whole number of milliseconds through format and parse', () => {
    fc.assert(fc.property(fc.integer({ min: 0, max: 10 * 24 * 3_600_000 }), (ms) => parseDuration(formatDuration(ms)) === ms));
  });

  it('formats to the canonical form the parser reads back', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 99 }), fc.integer({ min: 0, max: 59 }), fc.integer({ min: 0, max: 59 }), (h, m, s) => {
        const text = `${h ? `${h}h` : ''}${m ? `${m}m` : ''}${s || (!h && !m) ? `${s}s` : ''}`;
        return formatDuration(parseDuration(text)) === text;
      }),
    );
  });

  it('the zod schema gives milliseconds and a hint for bare numbers', () => {
    expect(durationSchema.parse('2m')).toBe(120_000);
    const result = durationSchema.safeParse(10);
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.message).toMatch(/10 has no unit.*10s or 10ms/);
  });
});

describe('rates', () => {
  it.each([
    ['10/s', 10],
    ['600/m', 10],
    ['3600/h', 1],
    ['0.5/s', 0.5],
  ])('parses %s as %d per second', (text, perSecond) => {
    expect(parseRate(text)).toBeCloseTo(perSecond, 10);
  });

  it.each(['10', '10/sec', '/s', '10 per second', '0/s'])('refuses %j', (text) => {
    expect(() => parseRate(text)).toThrow(UnitSyntaxError);
    expect(rateSchema.safeParse(text).success).toBe(false);
  });

  it('round-trips format and parse (within rounding of 3 decimals)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 1_000_000 }), fc.constantFrom(1, 60, 3600), (count, per) => {
        const perSecond = count / per;
        const back = parseRate(formatRate(perSecond));
        return Math.abs(back - perSecond) / perSecond < 1e-3;
      }),
    );
  });
});

describe('sizes and percentages', () => {
  it('parses decimal and binary sizes', () => {
    expect(parseBytes('512MB')).toBe(512e6);
    expect(parseBytes('1GiB')).toBe(1024 ** 3);
    expect(() => parseBytes('5 MB')).toThrow(/not a size/);
  });

  it('parses percentages into fractions', () => {
    expect(parsePercent('5%')).toBeCloseTo(0.05);
    expect(() => parsePercent('5')).toThrow(/not a percentage/);
  });
});
