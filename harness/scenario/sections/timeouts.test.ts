import { describe, expect, it } from 'vitest';
import { checkTimeouts, timeoutsSchema } from './timeouts.ts';

describe('timeouts', () => {
  it('defaults to a 2 minute drain inside a 10 minute run', () => {
    expect(timeoutsSchema.parse(undefined)).toEqual({ drain: 120_000, total: 600_000 });
    expect(timeoutsSchema.parse({ total: '1h' })).toEqual({ drain: 120_000, total: 3_600_000 });
  });

  it('needs the drain to fit inside the run', () => {
    expect(checkTimeouts(timeoutsSchema.parse({ drain: '1m', total: '1m' }))).toEqual([
      { path: ['timeouts', 'drain'], message: 'drain must be shorter than total (the drain happens inside the run)' },
    ]);
    expect(checkTimeouts(timeoutsSchema.parse({ drain: '30s', total: '1m' }))).toEqual([]);
  });
});
