/** Small shared helpers of both halves (see README.md): the public face of system/util. */
export { isProcessRunning } from './process.ts';
export { childPids, descendantPids, type ChildPidsOptions } from './process-tree.ts';
export { mulberry32 } from './random.ts';
export { sleep } from './sleep.ts';
export { withDeadline } from './deadline.ts';
export { eachInOrder } from './in-order.ts';
export { httpDate, isoTimestamp } from './utc-text.ts';
export { fnv1a64 } from './fingerprint.ts';
