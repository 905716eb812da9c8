import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { applyEvent, projectBead, projectBeads, TERMINAL_BEAD_STATUSES } from './projection.ts';
import { beadStreamArb, toRecords } from './test-arbitraries.ts';

describe('projectBead (pure fold)', () => {
  it('is deterministic and never mutates its input', () => {
    fc.assert(
      fc.property(beadStreamArb('b1'), (events) => {
        const frozen = structuredClone(events);
        expect(projectBead(events)).toEqual(projectBead(events));
        expect(events).toEqual(frozen);
      }),
    );
  });

  it('folding incrementally (any split point, state carried over) equals folding the batch', () => {
    fc.assert(
      fc.property(beadStreamArb('b1'), fc.nat(), (events, cut) => {
        const split = cut % (events.length + 1);
        let state = projectBead(events.slice(0, split));
        for (const event of events.slice(split)) state = applyEvent(state, event);
        expect(state).toEqual(projectBead(events));
      }),
    );
  });

  it('replaying events again (at-least-once delivery, any duplicates in order) changes nothing', () => {
    fc.assert(
      fc.property(beadStreamArb('b1'), fc.array(fc.nat(), { maxLength: 10 }), (events, picks) => {
        const replayed = [...events];
        // Insert duplicates of already-delivered events right after a later one.
        for (const pick of picks) {
          const at = pick % events.length;
          replayed.splice(replayed.indexOf(events[at]!) + 1, 0, events[pick % (at + 1)]!);
        }
        expect(projectBead(replayed)).toEqual(projectBead(events));
      }),
    );
  });

  it('interleaving streams (as the global log does) gives each bead the same state as its own stream', () => {
    fc.assert(
      fc.property(beadStreamArb('a'), beadStreamArb('b'), fc.array(fc.boolean(), { maxLength: 80 }), (a, b, coin) => {
        const merged = [];
        let i = 0;
        let j = 0;
        for (const takeA of coin) {
          if (takeA && i < a.length) merged.push(a[i++]!);
          else if (j < b.length) merged.push(b[j++]!);
        }
        merged.push(...a.slice(i), ...b.slice(j));
        const states = projectBeads(merged);
        expect(states.get('a')).toEqual(projectBead(a));
        expect(states.get('b')).toEqual(projectBead(b));
      }),
    );
  });

  it('terminal states are sticky and attempts count BeadStarted events until the end', () => {
    fc.assert(
      fc.property(beadStreamArb('b1'), (events) => {
        const state = projectBead(events)!;
        const end = events.findIndex((e) => e.type === 'BeadSucceeded' || e.type === 'BeadFailed' || e.type === 'BeadCancelled');
        const live = end === -1 ? events : events.slice(0, end + 1);
        expect(state.attempts).toBe(live.filter((e) => e.type === 'BeadStarted').length);
        expect(state.lastSeq).toBe(events.length);
        if (end !== -1) {
          expect(TERMINAL_BEAD_STATUSES.has(state.status)).toBe(true);
          expect(state.finishedAt).toBe(events[end]!.at);
          expect(state.workerId).toBeNull();
        }
      }),
    );
  });

  it('follows a typical life: submitted → queued → running → checkpoint → retry → succeeded', () => {
    const events = toRecords('bead:x', [
      { type: 'BeadSubmitted', data: { beadId: 'x', priority: 0, maxAttempts: 3, workflowId: 'wf' } },
      { type: 'BeadQueued', data: {} },
      { type: 'BeadStarted', data: { attempt: 1, workerId: 'w1' } },
      { type: 'StepCheckpointed', data: { step: 0, state: {} } },
      { type: 'BeadWorkerLost', data: { attempt: 1, workerId: 'w1', reason: 'exit' } },
      { type: 'BeadQueued', data: {} },
      { type: 'BeadStarted', data: { attempt: 2, workerId: 'w2', fromStep: 1 } },
    ]);
    expect(projectBead(events)).toMatchObject({ status: 'running', attempts: 2, workerId: 'w2', lastCheckpointStep: 0, workflowId: 'wf', priority: 0 });
    const done = [
      ...events,
      ...toRecords(
        'bead:x',
        [
          { type: 'BeadSucceeded', data: { attempt: 2 } },
          { type: 'BeadQueued', data: {} },
        ],
        8,
      ),
    ];
    expect(projectBead(done)).toMatchObject({ status: 'succeeded', workerId: null, lastSeq: 9, finishedAt: done[7]!.at });
  });
});
