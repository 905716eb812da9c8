import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { History, pairOperations } from './history.ts';
import { hasCode } from '../../system/errors.ts';

/** A clock the test moves by hand. */
function manualClock(start = 0) {
  let now = start;
  return { clock: () => now, advance: (ms: number) => void (now += ms) };
}

describe('History', () => {
  it('records invoke then one completion with the injected clock', () => {
    const t = manualClock(100);
    const history = new History({ clock: t.clock });
    const op = history.invoke({ kind: 'submit', idempotencyKey: 'k1', beadIds: ['b1'], intendedAt: 90 });
    t.advance(25);
    op.ok({ status: 201, beadIds: ['b1'], value: { status: 'queued' } });
    expect(history.entries()).toEqual([
      { index: 0, opId: 0, type: 'invoke', kind: 'submit', at: 100, beadIds: ['b1'], idempotencyKey: 'k1', intendedAt: 90 },
      { index: 1, opId: 0, type: 'ok', kind: 'submit', at: 125, beadIds: ['b1'], status: 201, value: { status: 'queued' } },
    ]);
    expect(op.completion).toBe('ok');
  });

  it('refuses a second completion with HARN_HISTORY_ALREADY_COMPLETED', () => {
    const history = new History();
    const op = history.invoke({ kind: 'cancel', beadIds: ['b1'] });
    op.unknown(Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }));
    let caught: unknown;
    try {
      op.ok();
    } catch (err) {
      caught = err;
    }
    expect(hasCode(caught, 'HARN_HISTORY_ALREADY_COMPLETED')).toBe(true);
    expect(history.size).toBe(2);
  });

  it('pairs operations, merging server-assigned bead ids and keeping pending ones', () => {
    const t = manualClock();
    const history = new History({ clock: t.clock });
    const a = history.invoke({ kind: 'submit', idempotencyKey: 'ka' });
    const b = history.invoke({ kind: 'submit', idempotencyKey: 'kb' });
    t.advance(5);
    b.fail({ status: 409, code: 'ORCH_API_IDEMPOTENCY_MISMATCH' });
    a.ok({ status: 201, beadIds: ['srv-1'] });
    history.invoke({ kind: 'get', beadIds: ['srv-1'] });
    const ops = history.operations();
    expect(ops.map((o) => [o.opId, o.outcome, o.beadIds])).toEqual([
      [0, 'ok', ['srv-1']],
      [1, 'fail', []],
      [2, 'pending', ['srv-1']],
    ]);
    expect(ops[1]?.code).toBe('ORCH_API_IDEMPOTENCY_MISMATCH');
    expect(ops[0]?.completedAt).toBe(5);
  });

  it('round-trips through JSON for any interleaving of operations (property)', () => {
    const step = fc.oneof(
      fc.record({ act: fc.constant('invoke' as const), kind: fc.constantFrom('submit', 'cancel', 'get'), key: fc.option(fc.string(), { nil: undefined }) }),
      fc.record({
        act: fc.constantFrom('ok' as const, 'fail' as const, 'unknown' as const),
        pick: fc.nat(),
        status: fc.option(fc.integer({ min: 200, max: 599 }), { nil: undefined }),
      }),
    );
    fc.assert(
      fc.property(fc.array(step, { maxLength: 60 }), fc.array(fc.integer({ min: 0, max: 1000 }), { minLength: 1 }), (steps, ticks) => {
        let i = 0;
        let now = 0;
        const history = new History({ clock: () => (now += ticks[i++ % ticks.length] ?? 0) });
        const pending: ReturnType<History['invoke']>[] = [];
        for (const s of steps) {
          if (s.act === 'invoke') pending.push(history.invoke({ kind: s.kind, idempotencyKey: s.key }));
          else if (pending.length > 0) {
            const [h] = pending.splice(s.pick % pending.length, 1);
            h?.[s.act]({ status: s.status });
          }
        }
        const json = JSON.parse(JSON.stringify(history)) as unknown;
        const restored = History.fromJSON(json);
        expect(restored.entries()).toEqual(history.entries());
        expect(restored.operations()).toEqual(history.operations());
        expect(pairOperations(history.entries()).filter((o) => o.outcome === 'pending')).toHaveLength(pending.length);
        // New operations continue after the restored ones instead of reusing an opId.
        expect(restored.invoke({ kind: 'get' }).opId).toBe(history.operations().length);
      }),
    );
  });

  it.each([
    ['not an object', 42],
    ['wrong version', { version: 2, entries: [] }],
    ['orphan completion', { version: 1, entries: [{ index: 0, opId: 3, type: 'ok', kind: 'submit', at: 1 }] }],
    ['bad type', { version: 1, entries: [{ index: 0, opId: 0, type: 'info', kind: 'submit', at: 1 }] }],
    ['double invoke', { version: 1, entries: [0, 1].map((index) => ({ index, opId: 0, type: 'invoke', kind: 'get', at: 1 })) }],
  ])('fromJSON rejects %s with HARN_HISTORY_INVALID', (_name, json) => {
    expect(() => History.fromJSON(json)).toThrow(expect.objectContaining({ code: 'HARN_HISTORY_INVALID' }));
  });
});
