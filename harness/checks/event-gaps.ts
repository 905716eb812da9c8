/**
 * eventGaps — every stream's sequence numbers must be exactly 1..n.
 *
 * A missing seq means an event was lost between the append and the log (or an outbox flush
 * skipped one); a repeated seq means two events claim one position. Only the FIRST anomaly per
 * stream is reported, with its neighbours, because everything after it is usually the same fault.
 * The global position (when the events carry it) must be gapless from 1, held once, and grow with
 * seq inside every stream: `position-gap`, `duplicate-position`, `reordered` (every anomaly).
 */
import { foldLog } from './fold.ts';
import { beadIdOfStream, prepare } from './prepare.ts';
import type { CheckEvent, CheckInput, CheckResult, Violation } from './types.ts';

/** Finds streams whose seqs are not exactly 1..n. `unknown` when no events were given. */
export function checkEventGaps(input: CheckInput): CheckResult {
  const p = prepare(input);
  if (p.events === undefined) return { name: 'eventGaps', valid: 'unknown', violations: [], counts: { streams: 0 } };
  const streams = new Map<string, CheckEvent[]>();
  for (const event of p.events) {
    let list = streams.get(event.stream);
    if (list === undefined) streams.set(event.stream, (list = []));
    list.push(event);
  }
  const violations: Violation[] = [];
  for (const [stream, unsorted] of streams) {
    const events = [...unsorted].sort((a, b) => a.seq - b.seq);
    const violation = firstAnomaly(stream, events);
    if (violation === undefined) continue;
    const beadId = beadIdOfStream(stream, p.vocab);
    violations.push(beadId === undefined ? violation : { ...violation, beadId });
  }
  const streamsWithGaps = violations.length;
  // The global position too: gapless from 1, each once, and growing with seq inside a stream.
  const { positions, positioned } = foldLog(p.events, p.vocab);
  violations.push(...positions);
  return {
    name: 'eventGaps',
    // Without positions a lost event between streams cannot be seen: never call that valid.
    valid: violations.length > 0 ? false : positioned || p.events.length === 0 ? true : 'unknown',
    violations,
    counts: { streams: streams.size, events: p.events.length, streamsWithGaps, positionAnomalies: positions.length, positioned: positioned ? 1 : 0 },
  };
}

function firstAnomaly(stream: string, events: CheckEvent[]): Violation | undefined {
  let previous: CheckEvent | undefined;
  for (const [i, event] of events.entries()) {
    const expected = i + 1;
    if (event.seq === expected) {
      previous = event;
      continue;
    }
    const neighbours = previous === undefined ? [event] : [previous, event];
    if (previous !== undefined && event.seq === previous.seq) {
      return {
        kind: 'duplicate-seq',
        message: `stream ${stream}: seq ${event.seq} appears twice (${previous.type}, ${event.type})`,
        witness: { events: neighbours },
      };
    }
    if (!Number.isInteger(event.seq) || event.seq < expected) {
      return {
        kind: 'bad-seq',
        message: `stream ${stream}: seq ${event.seq} where ${expected} was expected`,
        witness: { events: neighbours },
      };
    }
    const missing = event.seq - 1 === expected ? `${expected}` : `${expected}..${event.seq - 1}`;
    return {
      kind: 'gap',
      message: `stream ${stream}: seq ${missing} missing between ${previous === undefined ? 'the start' : `seq ${previous.seq}`} and seq ${event.seq}`,
      witness: { events: neighbours },
    };
  }
  return undefined;
}
