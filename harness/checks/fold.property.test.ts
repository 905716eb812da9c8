/**
 * Properties of the harness fold over generated legal bead lives, interleaved across beads in a
 * random global order: the fold agrees with the system's projection on a legal log and finds
 * nothing; and removing or repeating any single event is caught by some check, where the
 * projection folds on.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { projectBeads, type EventRecord, type EventType } from '../../system/events/index.ts';
import { foldLog } from './fold.ts';
import { runChecks } from './run-checks.ts';
import type { CheckEvent } from './types.ts';
import { resolveVocabulary } from './vocabulary.ts';

type Life = { type: EventType; data: Record<string, unknown> }[];

/** A legal life: attempts that are lost or retried, then one outcome. */
const life = fc
  .record({
    steps: fc.integer({ min: 1, max: 4 }),
    interruptions: fc.array(fc.constantFrom('BeadWorkerLost' as const, 'BeadRetryScheduled' as const), { maxLength: 2 }),
    end: fc.constantFrom('BeadSucceeded' as const, 'BeadFailed' as const, 'BeadCancelled' as const),
    cancelRequested: fc.boolean(),
  })
  .map(({ steps, interruptions, end, cancelRequested }): Life => {
    const out: Life = [{ type: 'BeadSubmitted', data: { priority: 2, maxAttempts: 9, input: { agent: { steps } }, bead: { dependencies: [] } } }];
    let checkpoint = 0;
    const attempt = (n: number) => {
      out.push({ type: 'BeadQueued', data: {} }, { type: 'BeadStarted', data: { attempt: n, workerId: `w${n}`, fromStep: checkpoint } });
    };
    interruptions.forEach((kind, i) => {
      attempt(i + 1);
      if (checkpoint < steps) out.push({ type: 'StepCheckpointed', data: { step: ++checkpoint } });
      out.push(
        kind === 'BeadWorkerLost'
          ? { type: kind, data: { attempt: i + 1, workerId: `w${i + 1}`, reason: 'x' } }
          : { type: kind, data: { attempt: i + 1, delayMs: 0, error: { type: 'E', message: 'e' } } },
      );
    });
    attempt(interruptions.length + 1);
    if (cancelRequested) out.push({ type: 'BeadCancelRequested', data: {} });
    while (checkpoint < steps) out.push({ type: 'StepCheckpointed', data: { step: ++checkpoint } });
    const n = interruptions.length + 1;
    out.push(
      end === 'BeadCancelled'
        ? { type: end, data: {} }
        : end === 'BeadFailed'
          ? { type: end, data: { attempt: n, error: { type: 'E', message: 'e' } } }
          : { type: end, data: { attempt: n } },
    );
    return out;
  });

/** Lives of several beads, interleaved by a generated schedule, with seq and position assigned. */
const logs = fc.array(life, { minLength: 1, maxLength: 5 }).chain((lives) => {
  const total = lives.reduce((n, l) => n + l.length, 0);
  return fc.array(fc.nat(lives.length - 1), { minLength: total * 2, maxLength: total * 2 }).map((schedule) => {
    const cursors = lives.map(() => 0);
    const out: EventRecord[] = [];
    const take = (b: number) => {
      const e = lives[b]![cursors[b]!]!;
      cursors[b]! += 1;
      out.push({
        stream: `bead:b${b}`,
        seq: cursors[b]!,
        position: out.length + 1,
        type: e.type,
        data: { beadId: `b${b}`, ...e.data },
        idempotencyKey: `b${b}:${cursors[b]}`,
        at: new Date(out.length * 1000).toISOString(),
      });
    };
    for (const b of schedule) if (cursors[b]! < lives[b]!.length) take(b);
    lives.forEach((l, b) => {
      while (cursors[b]! < l.length) take(b);
    });
    return out;
  });
});

const vocab = resolveVocabulary();

/** Seq per stream and position over the log, in array order. */
function renumber(log: EventRecord[]): EventRecord[] {
  const seqs = new Map<string, number>();
  return log.map((e, i) => {
    const seq = (seqs.get(e.stream) ?? 0) + 1;
    seqs.set(e.stream, seq);
    return { ...e, seq, position: i + 1 };
  });
}
const asCheck = (log: EventRecord[]): CheckEvent[] => log.map((e) => ({ ...e }));

describe('harness fold over generated logs', () => {
  it('a legal log: the fold agrees with the projection and no log check finds anything', () => {
    fc.assert(
      fc.property(logs, (log) => {
        const fold = foldLog(asCheck(log), vocab);
        const projected = projectBeads(log);
        for (const [id, state] of projected) {
          const mine = fold.beads.get(id)!;
          expect([mine.status, mine.attempts, mine.lastCheckpointStep]).toEqual([state.status, state.attempts, state.lastCheckpointStep]);
        }
        const report = runChecks({ history: [], finalBeads: {}, events: asCheck(log) }, ['eventGaps', 'duplicated', 'lifecycle']);
        expect(report.counts).toEqual({ eventGaps: 0, duplicated: 0, lifecycle: 0 });
      }),
      { numRuns: 150 },
    );
  });

  it('removing or repeating any one event is caught, though the projection folds on', () => {
    fc.assert(
      fc.property(logs, fc.nat(), fc.boolean(), (log, pick, repeat) => {
        const victim = log[pick % log.length]!;
        // A repeated cancel request changes nothing a user can see (and its key makes it impossible).
        if (repeat && victim.type === 'BeadCancelRequested') return;
        // The repeat lands right after the original, in its stream and in the log; later seqs and positions shift.
        const corrupted = repeat ? renumber(log.flatMap((e) => (e === victim ? [e, { ...e }] : [e]))) : log.filter((e) => e !== victim);
        expect(() => projectBeads(corrupted)).not.toThrow();
        const report = runChecks({ history: [], finalBeads: {}, events: asCheck(corrupted) }, ['eventGaps', 'duplicated', 'lifecycle']);
        const found = report.counts.eventGaps + report.counts.duplicated + report.counts.lifecycle;
        // The last event of the whole log leaves no gap when removed; only its stream can show it.
        const lastOfLog = !repeat && victim.position === log.length;
        const lastOfStream = !repeat && victim.seq === log.filter((e) => e.stream === victim.stream).length;
        if (lastOfLog && lastOfStream) return; // a truncated tail: the lost check's business (no terminal event)
        expect(found).toBeGreaterThan(0);
      }),
      { numRuns: 300 },
    );
  });
});
