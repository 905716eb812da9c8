/**
 * fast-check generators of valid bead events, shared by the property tests.
 */
import fc from 'fast-check';
import type { EventRecord, NewEvent, BeadEventType } from './types.ts';

/** JSON values the store accepts: integers stay within ±2^53 (see validate.ts). */
function isSafe(value: unknown): boolean {
  if (typeof value === 'number') return !Number.isInteger(value) || Number.isSafeInteger(value);
  if (Array.isArray(value)) return value.every(isSafe);
  if (value !== null && typeof value === 'object') return Object.values(value).every(isSafe);
  return true;
}
const safeJson = fc.jsonValue({ maxDepth: 2 }).filter(isSafe);
const failure = fc.record({
  type: fc.constantFrom('AgentCrashed', 'StepTimeout', 'BadInput'),
  message: fc.string({ maxLength: 20 }),
  nonRetryable: fc.boolean(),
});
const attempt = fc.integer({ min: 1, max: 5 });
const worker = fc.constantFrom('w1', 'w2', 'w3');

/** One valid bead event for bead `beadId` (any type, random but schema-valid data). */
export function beadEventArb(beadId: string): fc.Arbitrary<NewEvent<BeadEventType>> {
  const arbs: fc.Arbitrary<NewEvent<BeadEventType>>[] = [
    fc
      .record({ priority: fc.integer({ min: 0, max: 4 }), maxAttempts: fc.integer({ min: 1, max: 5 }) })
      .map((d) => ({ type: 'BeadSubmitted' as const, data: { beadId, ...d } })),
    fc.constant({ type: 'BeadQueued' as const, data: {} }),
    fc.record({ attempt, workerId: worker }).map((data) => ({ type: 'BeadStarted' as const, data })),
    // Through JSON, as the store keeps it.
    fc
      .record({ step: fc.integer({ min: 0, max: 10 }), state: safeJson })
      .map((data) => ({ type: 'StepCheckpointed' as const, data: JSON.parse(JSON.stringify(data)) as typeof data })),
    fc.record({ attempt, delayMs: fc.integer({ min: 0, max: 1000 }), error: failure }).map((data) => ({ type: 'BeadRetryScheduled' as const, data })),
    fc.record({ attempt, workerId: worker, reason: fc.constantFrom('exit', 'stalled') }).map((data) => ({ type: 'BeadWorkerLost' as const, data })),
    fc.record({ attempt, workerId: worker, reason: fc.constant('orchestrator shutdown') }).map((data) => ({ type: 'BeadInterrupted' as const, data })),
    fc.constant({ type: 'BeadCancelRequested' as const, data: {} }),
    fc.record({ attempt }).map((data) => ({ type: 'BeadSucceeded' as const, data })),
    fc.record({ attempt, error: failure }).map((data) => ({ type: 'BeadFailed' as const, data })),
    fc.constant({ type: 'BeadCancelled' as const, data: { reason: 'user' } }),
  ];
  return fc.oneof(...arbs);
}

/** A bead stream as the store would return it: BeadSubmitted first, then any events, seq 1..n. */
export function beadStreamArb(beadId: string, maxLength = 30): fc.Arbitrary<EventRecord[]> {
  return fc
    .tuple(
      beadEventArb(beadId).filter((e) => e.type === 'BeadSubmitted'),
      fc.array(beadEventArb(beadId), { maxLength }),
    )
    .map(([first, rest]) => toRecords(`bead:${beadId}`, [first, ...rest]));
}

/** Numbers events as committed records of one stream, one second apart. */
export function toRecords(stream: string, events: NewEvent[], firstSeq = 1): EventRecord[] {
  return events.map((e, i) => ({
    stream,
    seq: firstSeq + i,
    position: firstSeq + i,
    type: e.type,
    data: e.data,
    idempotencyKey: `${stream}:${firstSeq + i}`,
    at: new Date(Date.UTC(2026, 0, 1) + (firstSeq + i) * 1000).toISOString(),
  }));
}
