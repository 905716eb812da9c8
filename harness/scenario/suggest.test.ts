import { describe, expect, it } from 'vitest';
import { closest, didYouMean, editDistance, listNames } from './suggest.ts';

describe('suggest', () => {
  it('counts edits and adjacent swaps as one', () => {
    expect(editDistance('rtae', 'rate')).toBe(1);
    expect(editDistance('profle', 'profile')).toBe(1);
    expect(editDistance('', 'ab')).toBe(2);
  });

  it('suggests only names within a third of their length, closest first', () => {
    expect(closest('lantency', ['latency', 'jitter'])).toEqual(['latency']);
    expect(closest('cj', ['ci', 'full'])).toEqual(['ci']);
    expect(closest('deploy', ['db', 'build'])).toEqual([]);
    expect(closest('compiel', ['lint', 'compiled', 'compile'])).toEqual(['compile', 'compiled']);
    expect(didYouMean('profle', ['profiles', 'profile'])).toBe('; did you mean "profile" or "profiles"?');
    expect(didYouMean('zzz', ['rate'])).toBe('');
  });

  it('lists the first ten names and counts the rest', () => {
    expect(listNames([])).toBe('none');
    expect(listNames(['a', 'b'])).toBe('a, b');
    expect(listNames(Array.from({ length: 13 }, (_, i) => `b${i + 1}`))).toBe('b1, b2, b3, b4, b5, b6, b7, b8, b9, b10 and 3 more');
  });
});
