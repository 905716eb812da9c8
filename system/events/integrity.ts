/**
 * The open-time check of an embedded log (README.md "Engine"): before the writer starts, the log
 * must hold every event it ever committed. With log head P (`log_head:global`):
 * - `count(event)` = P (positions are gapless, so fewer rows means rows lost);
 * - the event at position P exists and none lies above P (the head and the rows agree);
 * - the high-water mark (mark.ts) is ≤ P (a mark above P: the engine lost the newest commits,
 *   head included, which the first two cannot see).
 * Any failure is ORCH_EVENT_LOG_LOST naming expected vs found; start fails.
 */
import type { DbConnection } from './connection.ts';
import { EventLogLostError } from './errors.ts';
import { LOAD_POSITION } from './schema.ts';

const COUNT_EVENTS = 'RETURN (SELECT count() FROM event GROUP ALL)[0].count ?? 0;';
const AT_OR_ABOVE = 'SELECT VALUE position FROM event WHERE position >= $p ORDER BY position DESC LIMIT 2;';

/** What the check read (for tests and the measured cost). */
export interface LogCheck {
  head: number;
  count: number;
  mark: number;
  ms: number;
}

export interface LogCheckOptions {
  /** The high-water mark read at open (0 when none). */
  mark: number;
  markPath: string | null;
  /** TEST-ONLY `position` gap (options.ts testGap): the log holds one number fewer than its head, on purpose. */
  positionGap: boolean;
  timeoutMs: number;
}

/** Checks the log; throws ORCH_EVENT_LOG_LOST when committed events are missing. */
export async function checkLog(connection: DbConnection, options: LogCheckOptions): Promise<LogCheck> {
  const started = performance.now();
  const [rawHead] = await connection.run('check-log-head', (db) => db.query<[unknown]>(LOAD_POSITION).collect(), options.timeoutMs);
  const head = Number(rawHead ?? 0);
  const [rawCount] = await connection.run('check-log-count', (db) => db.query<[unknown]>(COUNT_EVENTS).collect(), options.timeoutMs);
  const count = Number(rawCount ?? 0);
  const [top] = await connection.run('check-log-top', (db) => db.query<[unknown[]]>(AT_OR_ABOVE, { p: head }).collect(), options.timeoutMs);
  const positions = top.map(Number);
  const where = { head, count, mark: options.mark, markPath: options.markPath };
  if (options.mark > head) {
    throw new EventLogLostError(
      `event log lost committed events: the high-water mark ${options.markPath} says position ${options.mark} was committed, ` +
        `the log's head is ${head} (expected >= ${options.mark}, found ${head}; ${options.mark - head} or more events missing)`,
      { expected: options.mark, found: head, ...where },
    );
  }
  const expectedCount = options.positionGap && head > 0 ? head - 1 : head;
  if (count !== expectedCount && !(options.positionGap && count === head)) {
    throw new EventLogLostError(
      `event log lost committed events: its head is position ${head} but it holds ${count} events (expected ${expectedCount}, found ${count})`,
      { expected: expectedCount, found: count, ...where },
    );
  }
  if (head > 0 && positions[0] !== head) {
    const found = positions[0] ?? 'none';
    throw new EventLogLostError(
      `event log inconsistent: its head is position ${head} but the newest event at or above it is ${found} (expected ${head}, found ${found})`,
      { expected: head, found: typeof found === 'number' ? found : -1, ...where },
    );
  }
  if (head === 0 && positions.length > 0) {
    throw new EventLogLostError(`event log inconsistent: it has no head but holds events up to position ${positions[0]} (expected 0, found ${positions[0]})`, {
      expected: 0,
      found: positions[0]!,
      ...where,
    });
  }
  return { head, count, mark: options.mark, ms: performance.now() - started };
}
