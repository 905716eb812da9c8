/**
 * Retention's bounds with a real BeadTable and ReadyQueue and an injected clock: the time bound,
 * the count bound, workflows as one unit, and nothing evicted while it is in use or the outbox holds events.
 */
import { describe, expect, it } from 'vitest';
import { parseBead, ReadyQueue } from '../scheduler/index.ts';
import { BeadTable, type SubmittedData } from './beads.ts';
import { Retention } from './retention.ts';

function harness(options: { retainFinishedMs: number; retainFinishedBeads: number }) {
  let now = 1_000;
  let outboxSize = 0;
  const ctx = {
    table: new BeadTable(),
    queue: new ReadyQueue({ concurrency: 100 }),
    workflows: new Map<string, string[]>(),
    attempts: new Map(),
    runners: [] as (string | null)[],
    store: { health: () => ({ connection: 'connected' as const, outboxSize, rejected: 0 }) },
    options,
  };
  const retention = new Retention(ctx, () => now);
  /** Submits, runs and finishes beads the way the runtime does (table fold + queue transition). */
  const finish = (ids: string[], workflowId?: string) => {
    const beads = ids.map((id) => parseBead({ id, title: id, ...(workflowId === undefined ? {} : { workflowId }) }));
    for (const bead of beads) {
      const data: SubmittedData = {
        beadId: bead.id,
        priority: 2,
        maxAttempts: 1,
        input: {},
        bead,
        seed: 's',
        idempotencyKey: `bead:${bead.id}`,
        fingerprint: 'f',
        assignedIds: false,
        ...(workflowId === undefined ? {} : { workflowId }),
      };
      const record = ctx.table.create(data, 'now');
      ctx.table.fold(record, 'BeadSubmitted', data, `${bead.id}:submitted`, 'now');
      ctx.table.rememberSubmit(`bead:${bead.id}`, 'f', [bead.id]);
    }
    if (workflowId !== undefined) ctx.workflows.set(workflowId, ids);
    ctx.queue.add(beads);
    for (const bead of beads) {
      ctx.queue.take();
      ctx.queue.markSucceeded(bead.id);
      ctx.table.fold(ctx.table.get(bead.id)!, 'BeadSucceeded', { attempt: 1, result: null }, `${bead.id}:outcome`, 'now');
    }
  };
  return { ctx, retention, finish, advance: (ms: number) => (now += ms), setOutbox: (n: number) => (outboxSize = n) };
}

describe('Retention', () => {
  it('evicts a finished bead once retainFinishedMs passed, from table, queue and submit keys', () => {
    const h = harness({ retainFinishedMs: 500, retainFinishedBeads: 100 });
    h.finish(['a']);
    h.retention.noteFinished('bead:a');
    h.retention.sweep();
    expect(h.ctx.table.has('a')).toBe(true);
    h.advance(501);
    h.retention.sweep();
    expect(h.ctx.table.has('a')).toBe(false);
    expect(h.ctx.queue.has('a')).toBe(false);
    expect(h.ctx.table.submitFor('bead:a')).toBeUndefined();
    expect(h.retention.evicted).toBe(1);
  });

  it('keeps at most retainFinishedBeads, dropping the oldest first', () => {
    const h = harness({ retainFinishedMs: 3_600_000, retainFinishedBeads: 2 });
    for (const id of ['a', 'b', 'c', 'd']) {
      h.finish([id]);
      h.retention.noteFinished(`bead:${id}`);
      h.advance(1);
    }
    expect([...h.ctx.table.values()].map((r) => r.bead.id)).toEqual(['c', 'd']);
    expect(h.retention.held).toBe(2);
  });

  it("evicts a workflow only as a whole, on its own outcome, and ignores its members' outcomes", () => {
    const h = harness({ retainFinishedMs: 0, retainFinishedBeads: 100 });
    h.finish(['w1', 'w2'], 'wf');
    h.retention.noteFinished('bead:w1');
    h.retention.sweep();
    expect(h.ctx.table.has('w1')).toBe(true);
    h.retention.noteFinished('workflow:wf');
    h.advance(1);
    h.retention.sweep();
    expect(h.ctx.table.has('w1') || h.ctx.table.has('w2') || h.ctx.workflows.has('wf')).toBe(false);
  });

  it('holds back while the bead still has an attempt or the outbox is not empty', () => {
    const h = harness({ retainFinishedMs: 0, retainFinishedBeads: 100 });
    h.finish(['a']);
    h.retention.noteFinished('bead:a');
    h.advance(1);
    h.ctx.attempts.set('a', {});
    h.retention.sweep();
    expect(h.ctx.table.has('a')).toBe(true);
    h.ctx.attempts.delete('a');
    h.setOutbox(1);
    h.retention.sweep();
    expect(h.ctx.table.has('a')).toBe(true);
    h.setOutbox(0);
    h.retention.sweep();
    expect(h.ctx.table.has('a')).toBe(false);
  });
});
