/**
 * A small LRU of committed records by idempotency key, in front of the unique index.
 *
 * It only ever holds records the DB confirmed, and committed records are immutable (the log is
 * append-only), so a hit is always the true original. A miss proves nothing: the append
 * transaction still asks the index, which stays the authority (e.g. after a restart).
 */
import type { EventRecord } from './types.ts';

export class IdempotencyCache {
  readonly capacity: number;
  // A Map keeps insertion order: re-inserting on a hit moves a key to the young end.
  #records = new Map<string, EventRecord>();

  constructor(capacity: number) {
    this.capacity = capacity;
  }

  get(key: string): EventRecord | undefined {
    const record = this.#records.get(key);
    if (record !== undefined) {
      this.#records.delete(key);
      this.#records.set(key, record);
    }
    return record;
  }

  remember(record: EventRecord): void {
    if (this.capacity <= 0) return;
    this.#records.delete(record.idempotencyKey);
    this.#records.set(record.idempotencyKey, record);
    if (this.#records.size > this.capacity) {
      const oldest = this.#records.keys().next().value as string;
      this.#records.delete(oldest);
    }
  }

  get size(): number {
    return this.#records.size;
  }
}
