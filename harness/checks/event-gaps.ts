/**
 * eventGaps — every stream's sequence numbers must be exactly 1..n.
 *
 * A missing seq means an event was lost between the append and the log (or an outbox flush
 * skipped one); a repeated seq means two events claim one position. Only the FIRST anomaly per
 * stream is reported, with its neighbours, because everything after it is usually the same fault.
 */
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
  return {
    name: 'eventGaps',
    valid: violations.length === 0,
    violations,
    counts: { streams: streams.size, events: p.events.length, streamsWithGaps: violations.length },
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
