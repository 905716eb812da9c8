/**
 * The harness fold against the system's projection on corrupted logs: the projection is built to
 * forgive (replays dropped by seq, terminal states sticky, any transition accepted), so it folds
 * each corruption into a plausible state; the harness fold reports it.
 */
import { describe, expect, it } from 'vitest';
import { projectBeads, type EventRecord, type EventType } from '../../system/events/index.ts';
import { foldLog } from './fold.ts';
import { runChecks } from './run-checks.ts';
import type { CheckName } from './types.ts';
import { resolveVocabulary } from './vocabulary.ts';

const vocab = resolveVocabulary();

/** A correct one-bead log: submitted, queued, started, two checkpoints, succeeded. */
function cleanLog(): EventRecord[] {
  const steps: [EventType, unknown][] = [
    ['BeadSubmitted', { beadId: 'a', priority: 2, maxAttempts: 3, input: { agent: { steps: 2 } }, bead: { id: 'a', dependencies: [] } }],
    ['BeadQueued', { reason: 'submitted' }],
    ['BeadStarted', { attempt: 1, workerId: 'w1', fromStep: 0 }],
    ['StepCheckpointed', { step: 1, state: 's1' }],
    ['StepCheckpointed', { step: 2, state: 's2' }],
    ['BeadSucceeded', { attempt: 1 }],
  ];
  return steps.map(([type, data], i) => record(type, data, i + 1, i + 1));
}

function record(type: EventType, data: unknown, seq: number, position: number): EventRecord {
  return { stream: 'bead:a', seq, position, type, data, idempotencyKey: `a:${seq}:${type}`, at: new Date(Date.UTC(2026, 0, 1, 0, 0, seq)).toISOString() };
}

/** Every violation of a report as [check, kind], without `unexpected` (these tests have no history). */
function flaggedBy(report: ReturnType<typeof runChecks>): [CheckName, string][] {
  const flagged: [CheckName, string][] = [];
  for (const [name, result] of Object.entries(report.checks)) for (const v of result.violations) flagged.push([name as CheckName, v.kind]);
  return flagged.filter(([name]) => name !== 'unexpected');
}

/**
 * Runs every checker over the log, the API agreeing with what the system's projection says
 * (`flagged`), and once more judging the log only through that projection, as the harness did
 * before it had its own fold (`throughProjection`: logBeads, no events).
 */
function verdicts(log: EventRecord[]): {
  flagged: [CheckName, string][];
  throughProjection: [CheckName, string][];
  projected: ReturnType<typeof projectBeads>;
} {
  const projected = projectBeads(log);
  const a = projected.get('a')!;
  // The API serves the system's projection: exactly what a projection bug would make it say.
  const finalBeads = { a: { status: a.status, attempts: a.attempts, lastCheckpointStep: a.lastCheckpointStep } };
  const report = runChecks({
    history: [],
    finalBeads,
    events: log.map((e) => ({ stream: e.stream, seq: e.seq, type: e.type, data: e.data, idempotencyKey: e.idempotencyKey, cursor: e.position, at: e.at })),
  });
  const blind = runChecks({ history: [], finalBeads, logBeads: { a: { status: a.status, attempts: a.attempts } } });
  return { flagged: flaggedBy(report), throughProjection: flaggedBy(blind), projected };
}

describe('harness fold vs system projection on corrupted logs', () => {
  it('a clean log: both folds agree and no check flags anything', () => {
    const { flagged, projected } = verdicts(cleanLog());
    expect(flagged).toEqual([]);
    expect(projected.get('a')).toMatchObject({ status: 'succeeded', attempts: 1, lastCheckpointStep: 2 });
    expect(
      foldLog(
        cleanLog().map((e) => ({ ...e })),
        vocab,
      ).beads.get('a'),
    ).toMatchObject({ status: 'succeeded', attempts: 1, lastCheckpointStep: 2 });
  });

  it('an event after the terminal event: the projection keeps "succeeded", the harness reports it', () => {
    const log = [...cleanLog(), record('StepCheckpointed', { step: 3, state: 's3' }, 7, 7)];
    const { flagged, throughProjection, projected } = verdicts(log);
    expect(throughProjection, 'judged through the projection alone, the corruption is invisible').toEqual([]);
    expect(projected.get('a')).toMatchObject({ status: 'succeeded', lastCheckpointStep: 2 });
    expect(flagged).toEqual([['lifecycle', 'after-terminal']]);
  });

  it('a duplicate outcome: the projection swallows the second, the harness sees two outcomes', () => {
    const log = [...cleanLog(), record('BeadFailed', { attempt: 1, error: { type: 'Late', message: 'late' } }, 7, 7)];
    const { flagged, throughProjection, projected } = verdicts(log);
    expect(throughProjection, 'judged through the projection alone, the corruption is invisible').toEqual([]);
    expect(projected.get('a')?.status).toBe('succeeded');
    expect(flagged).toEqual([
      ['duplicated', 'double-terminal'],
      ['duplicated', 'two-outcomes-one-attempt'],
      ['lifecycle', 'after-terminal'],
    ]);
  });

  it('a skipped seq (and position): the projection folds on, the harness reports both gaps', () => {
    const log = cleanLog().filter((e) => e.seq !== 4);
    const { flagged, throughProjection, projected } = verdicts(log);
    expect(throughProjection, 'judged through the projection alone, the corruption is invisible').toEqual([]);
    expect(projected.get('a')).toMatchObject({ status: 'succeeded', lastCheckpointStep: 2 });
    expect(flagged).toEqual([
      ['eventGaps', 'gap'],
      ['eventGaps', 'position-gap'],
    ]);
  });

  it('an illegal transition (succeeded without ever starting): the projection accepts it', () => {
    const log = cleanLog()
      .filter((e) => e.type !== 'BeadStarted' && e.type !== 'StepCheckpointed')
      .map((e, i) => ({ ...e, seq: i + 1, position: i + 1 }));
    const { flagged, throughProjection, projected } = verdicts(log);
    expect(throughProjection, 'judged through the projection alone, the corruption is invisible').toEqual([]);
    expect(projected.get('a')).toMatchObject({ status: 'succeeded', attempts: 0 });
    expect(flagged).toEqual([['lifecycle', 'illegal-transition']]);
  });

  it('reordered positions: the projection drops BeadStarted as a replay, the harness reports the reorder', () => {
    // BeadStarted (seq 3) committed after the first checkpoint (seq 4).
    const log = cleanLog().map((e) => (e.seq === 3 ? { ...e, position: 4 } : e.seq === 4 ? { ...e, position: 3 } : e));
    log.sort((x, y) => x.position - y.position);
    const { flagged, throughProjection, projected } = verdicts(log);
    expect(throughProjection, 'judged through the projection alone, the corruption is invisible').toEqual([]);
    // The attempt vanished from the projection, and the API (served from it) agrees with it.
    expect(projected.get('a')).toMatchObject({ status: 'succeeded', attempts: 0 });
    expect(flagged).toEqual([
      ['eventGaps', 'reordered'],
      ['apiLogDisagreement', 'attempts-differs'],
      ['lifecycle', 'illegal-transition'],
    ]);
  });

  it('reports the first illegal transition of a bead, not the cascade behind it (BeadQueued appended after BeadStarted)', () => {
    // Seen in a real diamond run: a dependent's BeadStarted reached the log before its BeadQueued.
    const clean = cleanLog();
    const swapped = [clean[0]!, { ...clean[2]!, seq: 2, position: 2 }, { ...clean[1]!, seq: 3, position: 3 }, ...clean.slice(3)];
    const fold = foldLog(
      swapped.map((e) => ({ ...e })),
      vocab,
    );
    expect(fold.transitions.map((v) => v.message)).toEqual(["bead a: BeadStarted@2 (pos 2) is not allowed in status 'submitted'"]);
    expect(fold.consequential).toBeGreaterThan(0);
  });

  it('without positions the fold goes by seq, and eventGaps cannot call the log valid', () => {
    const events = cleanLog().map(({ position: _p, ...e }) => e);
    const report = runChecks({ history: [], finalBeads: { a: { status: 'succeeded' } }, events });
    expect(foldLog(events, vocab).positioned).toBe(false);
    expect(report.checks.eventGaps.valid).toBe('unknown');
    expect(report.checks.lifecycle.valid).toBe(true);
  });
});
