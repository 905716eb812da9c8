/**
 * The runtime's one way to write the log: every append goes through the `universe/storage/log`
 * actor (so an /admin kill of it hits the real write path), is retried while the failure is
 * retryable (the idempotency key makes a retry of a write that did land a no-op), is timed in
 * the append-latency histogram, and — for bead events — is folded into the in-memory table first,
 * in call order, which is the store's commit order.
 *
 * Test-only defects (config.ts DEFECTS) that touch the write path are applied here: `drop-event`
 * skips one StepCheckpointed, `skip-outbox` drops appends instead of outboxing them while the DB is
 * away, `ack-before-durable` holds every append ACK_BEFORE_DURABLE_HOLD_MS before it reaches the log
 * (the submit that does not wait for it is in service.ts).
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { ActorRef } from '../actors/index.ts';
import { hasCode } from '../errors.ts';
import { beadStream, type AppendResult, type EventStore, type EventType, type NewEvent } from '../events/index.ts';
import type { Defect } from './config.ts';
import type { BeadRecord, BeadTable } from './beads.ts';
import type { RuntimeMetrics } from './metrics.ts';
import type { Logger } from './log.ts';

/** A message to the log actor: one append. */
export interface AppendMessage {
  stream: string;
  event: NewEvent;
  idempotencyKey: string;
}

/** Retries of one append before it is given up (logged; the reconciler repairs from the log). */
const MAX_APPEND_TRIES = 6;
/** First retry delay; doubles per try (20, 40, … 640 ms). */
const RETRY_BASE_MS = 20;

/**
 * Under the test-only `ack-before-durable` defect, how long each append is held before it reaches
 * the log actor (ms). Wide enough that a SIGKILL scheduled ~1 s after a burst of submits lands
 * while every one of them is acknowledged and none is durable, on a loaded 2-core machine too.
 */
export const ACK_BEFORE_DURABLE_HOLD_MS = 3000;

/** What became of an append. `dropped` only happens under a test-only defect. */
export type JournalOutcome = AppendResult | { status: 'conflict' } | { status: 'dropped' };

export interface JournalOptions {
  store: EventStore;
  table: BeadTable;
  metrics: RuntimeMetrics;
  log: Logger;
  defects: readonly Defect[];
  /** Bound of one append as seen through the actor (DB timeout plus slack). */
  askTimeoutMs: number;
  /** Called once a bead's or workflow's final event is durable (retention.ts). */
  onFinished?: (stream: string) => void;
}

/** Event types after which nothing more is recorded for the stream. */
const FINAL_TYPES: ReadonlySet<string> = new Set(['BeadSucceeded', 'BeadFailed', 'BeadCancelled', 'WorkflowSucceeded', 'WorkflowFailed', 'WorkflowCancelled']);

/** Appends events; see the module comment. */
export class Journal {
  readonly #options: JournalOptions;
  #actor: ActorRef<AppendMessage, AppendReceipt> | undefined;
  #droppedOne = false;
  /** The last append issued per bead stream, until it settles (see settled()). */
  readonly #last = new Map<string, Promise<JournalOutcome>>();
  /** `ack-before-durable`: the hold of the last append issued; each waits for the one before it. */
  #heldTail: Promise<void> = Promise.resolve();

  constructor(options: JournalOptions) {
    this.#options = options;
  }

  /** Routes appends through the log actor from now on (before it exists they go straight to the store). */
  attach(actor: ActorRef<AppendMessage, AppendReceipt>): void {
    this.#actor = actor;
  }

  /**
   * Appends one event of a bead's stream and folds it into the bead's state. The fold happens
   * before the append resolves, so callers that run next see the new state at once.
   */
  async bead<T extends EventType>(record: BeadRecord, type: T, data: NewEvent<T>['data'], idempotencyKey: string): Promise<JournalOutcome> {
    if (record.keys.has(idempotencyKey)) return { status: 'conflict' };
    const before = { state: record.state, checkpoint: record.checkpoint, result: record.result, blockedBy: record.blockedBy };
    this.#options.table.fold(record, type, data, idempotencyKey, new Date().toISOString());
    const folded = record.state;
    if (this.#options.defects.includes('drop-event') && type === 'StepCheckpointed' && !this.#droppedOne && (data as { step: number }).step >= 2) {
      this.#droppedOne = true;
      this.#options.log.warn({ defect: 'drop-event', beadId: record.bead.id, idempotencyKey }, 'TEST DEFECT: StepCheckpointed not appended');
      return { status: 'dropped' };
    }
    const stream = beadStream(record.bead.id);
    const appending = this.append(stream, { type, data }, idempotencyKey);
    this.#last.set(stream, appending);
    try {
      return await appending;
    } catch (err) {
      // Not in the log, so not in the table either (unless something was folded on top since).
      if (record.state === folded) {
        Object.assign(record, before);
        record.keys.delete(idempotencyKey);
      }
      throw err;
    } finally {
      if (this.#last.get(stream) === appending) this.#last.delete(stream);
    }
  }

  /**
   * Settles once every event of the bead issued so far is durable (or failed). Appends commit in
   * issue order, so waiting for the last one is enough. For answers that must not come before
   * their fsync (a cancel) while the runtime itself moves on without waiting.
   */
  async settled(beadId: string): Promise<void> {
    await this.#last.get(beadStream(beadId))?.catch(() => {});
  }

  /** Appends one event with retries. Resolves `conflict` when the key belongs to another event. */
  async append(stream: string, event: NewEvent, idempotencyKey: string): Promise<JournalOutcome> {
    const { store, metrics, log, defects } = this.#options;
    if (defects.includes('skip-outbox') && (store.health().connection !== 'connected' || store.health().outboxSize > 0)) {
      log.warn({ defect: 'skip-outbox', stream, type: event.type }, 'TEST DEFECT: append dropped while the DB is away');
      return { status: 'dropped' };
    }
    if (defects.includes('ack-before-durable')) await this.#hold();
    for (let attempt = 1; ; attempt++) {
      const started = performance.now();
      try {
        const message: AppendMessage = { stream, event, idempotencyKey };
        const result = this.#actor
          ? await (
              await this.#actor.ask(message, { timeoutMs: this.#options.askTimeoutMs })
            ).pending
          : await store.append(stream, event, { idempotencyKey });
        metrics.appendSeconds.observe({ status: result.status }, (performance.now() - started) / 1000);
        if (FINAL_TYPES.has(event.type)) this.#options.onFinished?.(stream);
        return result;
      } catch (err) {
        if (hasCode(err, 'ORCH_IDEMPOTENCY_CONFLICT')) return { status: 'conflict' };
        const retryable = (err as { retryable?: unknown }).retryable === true;
        if (!retryable || attempt >= MAX_APPEND_TRIES || hasCode(err, 'ORCH_EVENT_STORE_CLOSED')) {
          log.error({ err, stream, type: event.type, idempotencyKey, attempt }, 'append failed');
          throw err;
        }
        await sleep(RETRY_BASE_MS * 2 ** (attempt - 1));
      }
    }
  }

  /**
   * `ack-before-durable`: resolves ACK_BEFORE_DURABLE_HOLD_MS after the call, and never before the
   * previous call's hold, so held appends still reach the log actor in issue order.
   */
  #hold(): Promise<void> {
    const due = performance.now() + ACK_BEFORE_DURABLE_HOLD_MS;
    const held = this.#heldTail.then(() => sleep(Math.max(0, due - performance.now())));
    this.#heldTail = held;
    return held;
  }
}

/** The log actor's reply: the append, already queued in the store's writer (in mailbox order). */
export interface AppendReceipt {
  pending: Promise<AppendResult>;
}

/**
 * The log actor's behaviour: hands each append to the store in mailbox order and replies at once
 * with the pending result. It does not wait for the commit, so appends queued meanwhile share the
 * store's next group commit (one fsync for many) instead of paying one each.
 */
export function logActorBehaviour(store: EventStore) {
  return () => ({
    handle: (msg: AppendMessage): AppendReceipt => {
      const pending = store.append(msg.stream, msg.event, { idempotencyKey: msg.idempotencyKey });
      pending.catch(() => {}); // the journal awaits it; a receipt nobody reads must not crash the process
      return { pending };
    },
  });
}
