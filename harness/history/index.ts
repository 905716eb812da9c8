/**
 * The Jepsen-style operation history: record every request as invoke → ok | fail | unknown.
 * @example
 *   const history = new History();
 *   const r = await track(history, { kind: 'submit', idempotencyKey: 'k1' }, () => post('/beads', body),
 *     { describe: (res) => ({ beadIds: res.body.beads.map((b) => b.id) }) });
 */
export { History, monotonicClock, pairOperations } from './history.ts';
export type { HistoryOptions, OperationHandle } from './history.ts';
export { track, classifyError, classifyStatus, resultFromError, NOT_SENT_ERROR_CODES, DEFAULT_NOT_APPLIED_CODES } from './classify.ts';
export type { Tracked, TrackOptions, ClassifyOptions } from './classify.ts';
export { HistoryAlreadyCompletedError, HistoryInvalidError } from './errors.ts';
export type * from './types.ts';
