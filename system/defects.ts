/**
 * Test-only defects the harness self-check switches on to prove its checks catch them (each is
 * described in system/runtime/README.md "Test-only defects"; harness/checks/proofs.ts says which
 * checker each one proves).
 *
 * `ack-before-durable`: a submit answers 201 as soon as its appends are ISSUED, without waiting for
 * their fsync (system/runtime/journal.ts, service.ts). So that a SIGKILL right after a burst of submits really lands
 * between the answer and the commit, the defect also holds every append ACK_BEFORE_DURABLE_HOLD_MS
 * before it reaches the log (in issue order): a slow disk the API does not wait for.
 */
export const DEFECTS = [
  'drop-event',
  'double-step',
  'skip-outbox',
  'lose-on-restart',
  'leak',
  'dependent-early',
  'start-after-outcome',
  'skip-step',
  'forget-keys-on-restart',
  'ack-before-durable',
  'phantom-bead',
  'seq-gap',
  'ignore-priority',
  'release-on-failure',
  'cancel-without-stop',
  'double-outcome',
  'start-twice',
  'position-gap',
] as const;
export type Defect = (typeof DEFECTS)[number];
