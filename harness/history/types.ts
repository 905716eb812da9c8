/**
 * The vocabulary of the operation history (Jepsen's model: `:invoke`, then `:ok`, `:fail` or the
 * indeterminate `:info`; how the checks read it: harness/checks/README.md).
 *
 * Every request the harness makes is one *operation*: an `invoke` entry when it is sent, then
 * exactly one completion entry: `ok` (it took effect), `fail` (it definitely did NOT take effect)
 * or `unknown` (Jepsen's `:info`: indeterminate — a timeout or a reset connection; the request may
 * or may not have been applied). An operation still `pending` when the history is read is treated
 * like `unknown` by the checkers.
 */

/** A monotonic clock in milliseconds (fractions allowed). Injected so tests can simulate time. */
export type Clock = () => number;

/** What the operation asked the system to do. Open-ended: the runner may add kinds. */
export type OpKind = 'submit' | 'submitWorkflow' | 'cancel' | 'get' | 'health' | 'events' | (string & {});

/** How an operation ended. */
export type Completion = 'ok' | 'fail' | 'unknown';

/** The type of one history entry. */
export type EntryType = 'invoke' | Completion;

/** What is known about an operation when it is invoked. */
export interface OpRequest {
  kind: OpKind;
  /** Bead ids named by the request (client-given ids, the bead to cancel/get). */
  beadIds?: readonly string[];
  workflowId?: string;
  idempotencyKey?: string;
  /**
   * A digest of the request body (any stable hash). Two sends of one key with equal digests are
   * the same request: a 409 "key reused for another body" to the second is the server's fault.
   */
  bodyDigest?: string;
  /** The time the request SHOULD have been sent (open-model schedule), on the same clock. */
  intendedAt?: number;
  /** Which client issued it (Jepsen's `:process`), for timelines. */
  process?: string | number;
}

/** What is learnt when an operation completes. Every field is optional. */
export interface OpResult {
  /** HTTP status, when there was a response. */
  status?: number;
  /** The stable error code (`ORCH_*`, `ECONNRESET`, `UND_ERR_*` …). */
  code?: string;
  message?: string;
  /** Bead ids the response named (server-assigned ids). Merged with the request's. */
  beadIds?: readonly string[];
  workflowId?: string;
  /** A small JSON-safe value worth keeping (e.g. the bead status a `get` returned). */
  value?: unknown;
}

/** One line of the history. `index` is the position in the history, `at` the clock reading. */
export interface HistoryEntry {
  index: number;
  opId: number;
  type: EntryType;
  kind: OpKind;
  at: number;
  beadIds?: string[];
  workflowId?: string;
  idempotencyKey?: string;
  bodyDigest?: string;
  intendedAt?: number;
  process?: string | number;
  status?: number;
  code?: string;
  message?: string;
  value?: unknown;
}

/** An invoke paired with its completion: what checkers consume. */
export interface Operation {
  opId: number;
  kind: OpKind;
  outcome: Completion | 'pending';
  invokedAt: number;
  completedAt?: number;
  /** The union of the request's and the response's bead ids. */
  beadIds: string[];
  workflowId?: string;
  idempotencyKey?: string;
  bodyDigest?: string;
  intendedAt?: number;
  process?: string | number;
  status?: number;
  code?: string;
  message?: string;
  value?: unknown;
  invokeIndex: number;
  completionIndex?: number;
}

/** The JSON form written to the report journal. */
export interface HistoryJson {
  version: 1;
  entries: HistoryEntry[];
}
