import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { parseBead, type Bead } from './bead.ts';
import { ReadyQueue } from './ready-queue.ts';

const bead = (id: string, opts: { deps?: string[]; wf?: string; priority?: number } = {}): Bead =>
  parseBead({ id, title: id, dependsOn: opts.deps ?? [], workflowId: opts.wf ?? 'wf', priority: opts.priority ?? 2 });

const drainIds = (q: ReadyQueue): string[] => {
  const out: string[] = [];
  for (let b = q.take(); b !== undefined; b = q.take()) out.push(b.id);
  return out;
};

describe('ReadyQueue', () => {
  it('releases a bead only when all its blocks dependencies succeeded', () => {
    const q = new ReadyQueue({ concurrency: 10 });
    expect(q.add([bead('a'), bead('b'), bead('c', { deps: ['a', 'b'] })])).toEqual(['a', 'b']);
    expect(drainIds(q)).toEqual(['a', 'b']);
    expect(q.markSucceeded('a')).toEqual([]);
    expect(q.status('c')).toBe('pending');
    expect(q.markSucceeded('b')).toEqual(['c']);
    expect(q.take()?.id).toBe('c');
  });

  it('treats forgotten dependencies by the final status add() is told: succeeded frees, failed/cancelled block', () => {
    const q = new ReadyQueue({ concurrency: 10 });
    q.add([bead('a'), bead('f'), bead('x')]);
    expect(drainIds(q)).toEqual(['a', 'f', 'x']);
    q.markSucceeded('a');
    q.markFailed('f');
    q.markCancelled('x');
    for (const id of ['a', 'f', 'x']) q.forget(id);
    const finished = (id: string) => ({ a: { status: 'succeeded' as const }, f: { status: 'failed' as const }, x: { status: 'cancelled' as const } })[id];
    expect(() => q.add([bead('late', { deps: ['a'] })])).toThrow(expect.objectContaining({ code: 'ORCH_DAG_UNKNOWN_DEPENDENCY' }));
    expect(q.add([bead('after-a', { deps: ['a'] }), bead('after-f', { deps: ['f', 'a'] }), bead('after-x', { deps: ['x'] })], finished)).toEqual(['after-a']);
    expect(q.entry('after-f')).toMatchObject({ status: 'blocked_by_failure', blockedBy: 'f' });
    expect(q.entry('after-x')).toMatchObject({ status: 'blocked_by_cancellation', blockedBy: 'x' });
    // A status that is not final does not count as a forgotten dependency.
    expect(() => q.add([bead('odd', { deps: ['r'] })], () => ({ status: 'running' }))).toThrow(
      expect.objectContaining({ code: 'ORCH_DAG_UNKNOWN_DEPENDENCY' }),
    );
  });

  it('serves priority 0 before 4, whatever the arrival order', () => {
    const q = new ReadyQueue({ concurrency: 10 });
    q.add([bead('low', { priority: 4, wf: 'w1' }), bead('mid', { priority: 2, wf: 'w2' }), bead('top', { priority: 0, wf: 'w3' })]);
    expect(drainIds(q)).toEqual(['top', 'mid', 'low']);
  });

  it('test-only ignorePriority (the ignore-priority defect) serves arrival order instead', () => {
    const q = new ReadyQueue({ concurrency: 10, ignorePriority: true });
    q.add([bead('low', { priority: 4, wf: 'w' }), bead('top', { priority: 0, wf: 'w' })]);
    expect(drainIds(q)).toEqual(['low', 'top']);
  });

  it('round-robins between workflows of the same priority', () => {
    const q = new ReadyQueue({ concurrency: 100 });
    q.add(Array.from({ length: 5 }, (_, i) => bead(`big-${i}`, { wf: 'big' })));
    q.add([bead('small-0', { wf: 'small' })]);
    q.add([bead('other-0', { wf: 'other' }), bead('other-1', { wf: 'other' })]);
    expect(drainIds(q)).toEqual(['big-0', 'small-0', 'other-0', 'big-1', 'other-1', 'big-2', 'big-3', 'big-4']);
  });

  it('take() returns nothing while running >= limit, and resumes as slots free up', () => {
    const q = new ReadyQueue({ concurrency: 2 });
    q.add([bead('a'), bead('b'), bead('c')]);
    expect(drainIds(q)).toEqual(['a', 'b']);
    expect(q.take()).toBeUndefined();
    q.markSucceeded('a');
    expect(q.take()?.id).toBe('c');
    q.setConcurrency(0);
    q.requeue('c');
    expect(q.take()).toBeUndefined();
    expect(() => q.setConcurrency(-1)).toThrow(expect.objectContaining({ code: 'ORCH_SCHEDULER_INVALID_OPTION' }));
  });

  it('blocks transitive dependents of a failed bead, and of a cancelled one', () => {
    const q = new ReadyQueue();
    q.add([bead('a'), bead('b', { deps: ['a'] }), bead('c', { deps: ['b'] }), bead('x'), bead('y', { deps: ['x', 'a'] })]);
    q.take();
    expect(q.markFailed('a').sort()).toEqual(['b', 'c', 'y']);
    expect(q.entry('c')).toMatchObject({ status: 'blocked_by_failure', blockedBy: 'a' });
    expect(drainIds(q)).toEqual(['x']);
    // A bead added later behind a failed one is blocked at once.
    q.add([bead('late', { deps: ['c'], wf: 'later' })]);
    expect(q.entry('late')).toMatchObject({ status: 'blocked_by_failure', blockedBy: 'a' });

    const q2 = new ReadyQueue();
    q2.add([bead('a'), bead('b', { deps: ['a'] })]);
    expect(q2.markCancelled('a')).toEqual(['b']);
    expect(q2.status('b')).toBe('blocked_by_cancellation');
    expect(q2.take()).toBeUndefined(); // the cancelled ready bead is skipped
    expect(q2.markCancelled('a')).toEqual([]); // idempotent
  });

  it('rejects invalid transitions, unknown ids and duplicates with typed errors', () => {
    const q = new ReadyQueue();
    q.add([bead('a')]);
    expect(() => q.markSucceeded('a')).toThrow(
      expect.objectContaining({ code: 'ORCH_BEAD_INVALID_TRANSITION', details: { beadId: 'a', from: 'ready', to: 'succeeded' } }),
    );
    expect(() => q.markFailed('nope')).toThrow(expect.objectContaining({ code: 'ORCH_BEAD_NOT_FOUND' }));
    expect(() => q.add([bead('a')])).toThrow(expect.objectContaining({ code: 'ORCH_DAG_DUPLICATE_ID' }));
    expect(() => q.add([bead('p', { deps: ['q'] }), bead('q', { deps: ['p'] })])).toThrow(expect.objectContaining({ code: 'ORCH_DAG_CYCLE' }));
    expect(q.has('p')).toBe(false); // all or nothing
  });

  it('property: never exceeds the limit and never dispatches a bead before its dependencies succeeded', () => {
    const scenario = fc.record({
      limit: fc.integer({ min: 1, max: 6 }),
      beads: fc.array(
        fc.record({ wf: fc.integer({ min: 0, max: 3 }), priority: fc.integer({ min: 0, max: 4 }), deps: fc.uniqueArray(fc.nat(), { maxLength: 3 }) }),
        { minLength: 1, maxLength: 40 },
      ),
      ops: fc.array(fc.record({ kind: fc.constantFrom('take', 'take', 'succeed', 'fail', 'cancel', 'requeue'), pick: fc.nat() }), { maxLength: 120 }),
    });
    fc.assert(
      fc.property(scenario, ({ limit, beads, ops }) => {
        const q = new ReadyQueue({ concurrency: limit });
        const deps = (ds: number[], i: number) => (i === 0 ? [] : [...new Set(ds.map((d) => `b${d % i}`))]);
        const all = beads.map((b, i) => bead(`b${i}`, { wf: `w${b.wf}`, priority: b.priority, deps: deps(b.deps, i) }));
        q.add(all);
        const running = new Set<string>();
        const succeeded = new Set<string>();
        for (const op of ops) {
          if (op.kind === 'take') {
            const next = q.take();
            if (next === undefined) continue;
            for (const d of next.dependencies) expect(succeeded.has(d.depends_on_id)).toBe(true);
            running.add(next.id);
          } else {
            const ids = op.kind === 'cancel' ? all.map((b) => b.id).filter((id) => ['pending', 'ready', 'running'].includes(q.status(id))) : [...running];
            const id = ids[op.pick % Math.max(1, ids.length)];
            if (id === undefined) continue;
            if (op.kind === 'succeed') {
              q.markSucceeded(id);
              succeeded.add(id);
            }
            if (op.kind === 'fail') q.markFailed(id);
            if (op.kind === 'cancel') q.markCancelled(id);
            if (op.kind === 'requeue') q.requeue(id);
            running.delete(id);
          }
          expect(q.running).toBe(running.size);
          expect(q.running).toBeLessThanOrEqual(limit);
          expect(q.ready).toBe(q.counts().ready);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('property: with W workflows, a one-bead workflow is dispatched within W takes', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 12 }),
        fc.integer({ min: 1, max: 150 }),
        fc.integer({ min: 0, max: 11 }),
        fc.integer({ min: 0, max: 50 }),
        (bigCount, bigSize, position, headStart) => {
          const q = new ReadyQueue({ concurrency: Infinity });
          for (let w = 0; w < bigCount; w++) q.add(Array.from({ length: bigSize }, (_, i) => bead(`w${w}-${i}`, { wf: `w${w}` })));
          // Some beads were dispatched before the small workflow arrived.
          for (let i = 0; i < headStart; i++) q.take();
          const W = bigCount + 1;
          q.add([bead('small', { wf: `small-${position}` })]);
          let takes = 0;
          for (let b = q.take(); b !== undefined; b = q.take()) {
            takes++;
            if (b.id === 'small') break;
          }
          expect(takes).toBeLessThanOrEqual(W);
        },
      ),
      { numRuns: 300 },
    );
  });
});
