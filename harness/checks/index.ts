/**
 * Jepsen-style checkers over the operation history and the final state. See README.md.
 */
export { runChecks, runSafely, combineValidity, CHECKERS } from './run-checks.ts';
export { checkLost } from './lost.ts';
export { checkDuplicated } from './duplicated.ts';
export { checkUnexpected } from './unexpected.ts';
export { checkEventGaps } from './event-gaps.ts';
export { checkDoubleSideEffects } from './double-side-effects.ts';
export { checkApiLogDisagreement } from './api-log-disagreement.ts';
export { checkStateExpectations } from './state-expectations.ts';
export { checkLifecycle } from './lifecycle.ts';
export { foldLog, positionOf } from './fold.ts';
export type { Fold, FoldedBead, FoldStatus } from './fold.ts';
export { DEFAULT_VOCABULARY, resolveVocabulary } from './vocabulary.ts';
export type { CheckVocabulary } from './vocabulary.ts';
export type * from './types.ts';
export { unfinishedBeads } from './unfinished.ts';
