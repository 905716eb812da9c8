import { describe, expect, it } from 'vitest';
import { checkSystem, systemSchema } from './system.ts';

describe('system', () => {
  it('fills every default when omitted (units in ms)', () => {
    expect(systemSchema.parse(undefined)).toEqual({
      workers: 20,
      agent: { steps: 5, stepTime: 200, payloadBytes: 0, sideEffects: true },
      reconcileTick: 1000,
      timeouts: { bead: 600_000, heartbeat: 3_000, shutdown: 30_000, db: 5_000 },
      admin: false,
      defects: [],
    });
  });

  it('keeps the defaults of keys not given in a partial mapping', () => {
    const system = systemSchema.parse({ agent: { steps: 2 }, timeouts: { db: '1s' } });
    expect(system.agent).toEqual({ steps: 2, stepTime: 200, payloadBytes: 0, sideEffects: true });
    expect(system.timeouts.db).toBe(1000);
    expect(system.timeouts.bead).toBe(600_000);
  });

  it('refuses unknown defects, naming the known ones', () => {
    const result = systemSchema.safeParse({ defects: ['drop-event', 'eat-cpu'] });
    expect(result.error?.issues[0]).toMatchObject({
      path: ['defects', 1],
      message: expect.stringMatching(/unknown defect "eat-cpu"; known: drop-event, double-step/),
    });
  });

  it('refuses a pool of 0 and unknown keys', () => {
    expect(systemSchema.safeParse({ workers: 0 }).success).toBe(false);
    expect(systemSchema.safeParse({ pool: 2 }).error?.issues[0]?.code).toBe('unrecognized_keys');
  });

  it('flags a defect listed twice and a heartbeat shorter than the tick', () => {
    const system = systemSchema.parse({ defects: ['leak', 'leak'], reconcileTick: '5s', timeouts: { heartbeat: '1s' } });
    expect(checkSystem(system).map((i) => i.path.join('.'))).toEqual(['system.defects.1', 'system.timeouts.heartbeat']);
  });
});
