import type { Random } from './random.ts';
import { INTERRUPTED, TIMED_OUT, type Chunk, type StubIO, type ToxicDefinition } from './toxics/types.ts';

/** An item on a queue: a chunk, or `null` for end of stream. */
export type QueueItem = Chunk | null;

/**
 * A FIFO between two stages of a link, with at most one waiting consumer. Pushing hands the item
 * straight to a waiting consumer, synchronously, so an interrupt can never race an item away.
 */
export class ChunkQueue {
  private items: QueueItem[] = [];
  private waiter: ((item: QueueItem) => void) | null = null;

  constructor(private readonly onTake: () => void = () => {}) {}

  get length(): number {
    return this.items.length;
  }

  push(item: QueueItem): void {
    const waiter = this.waiter;
    if (waiter) {
      this.waiter = null;
      waiter(item);
      this.onTake();
    } else {
      this.items.push(item);
    }
  }

  /** Takes the head now, or returns undefined when empty. */
  takeNow(): QueueItem | undefined {
    if (this.items.length === 0) return undefined;
    const item = this.items.shift()!;
    this.onTake();
    return item;
  }

  /** Registers the single consumer callback for the next pushed item. */
  wait(consumer: (item: QueueItem) => void): void {
    this.waiter = consumer;
  }

  cancelWait(): void {
    this.waiter = null;
  }

  /** Removes and returns everything queued (used when a stage is removed from a chain). */
  drain(): QueueItem[] {
    const items = this.items;
    this.items = [];
    this.onTake();
    return items;
  }
}

/** A toxic as installed on one link: the definition plus the live attribute values and toxicity. */
export interface InstalledToxic {
  readonly definition: ToxicDefinition;
  readonly attributes: Record<string, number>;
  toxicity: number;
}

/**
 * One stage of a link's chain (Go's ToxicStub). `run()` rolls toxicity and runs the toxic (or a
 * pass-through) until it is interrupted or closes; `interrupt()` stops it and waits for it, so the
 * chain can be relinked. Data a toxic holds is forwarded on interrupt, never dropped.
 */
export class ToxicStub implements StubIO {
  output: ChunkQueue;
  closed = false;
  state: Record<string, number> = {};
  private interruptRequested = false;
  private onInterrupt: (() => void) | null = null;
  private running: Promise<void> = Promise.resolve();

  constructor(
    readonly input: ChunkQueue,
    output: ChunkQueue,
    readonly toxic: InstalledToxic | null,
    readonly random: Random,
  ) {
    this.output = output;
  }

  /** Starts (or restarts) the toxic; the toxicity roll happens on every start, as in Go. */
  run(passThrough: (stub: StubIO) => Promise<void>): void {
    this.interruptRequested = false;
    const toxic = this.toxic;
    const applies = toxic !== null && this.random.float() < toxic.toxicity;
    const body = applies ? toxic.definition.pipe(this, toxic.attributes) : passThrough(this);
    this.running = body.catch(() => this.close());
  }

  /** Stops the running toxic. Resolves false if the stub had already closed (it cannot be relinked). */
  async interrupt(): Promise<boolean> {
    if (this.closed) return false;
    this.interruptRequested = true;
    this.onInterrupt?.();
    await this.running;
    return !this.closed;
  }

  /** Stops the stub for good when both sockets are gone: no restart, no output, timers cleared. */
  abort(): void {
    this.closed = true;
    this.interruptRequested = true;
    this.onInterrupt?.();
  }

  read(timeoutMs?: number): Promise<Chunk | null | typeof INTERRUPTED | typeof TIMED_OUT> {
    if (this.interruptRequested) return Promise.resolve(INTERRUPTED);
    const ready = this.input.takeNow();
    if (ready !== undefined) return Promise.resolve(ready);
    return new Promise((resolve) => {
      let timer: NodeJS.Timeout | undefined;
      const finish = (value: Chunk | null | typeof INTERRUPTED | typeof TIMED_OUT): void => {
        this.onInterrupt = null;
        if (timer) clearTimeout(timer);
        resolve(value);
      };
      this.input.wait(finish);
      this.onInterrupt = () => {
        this.input.cancelWait();
        finish(INTERRUPTED);
      };
      if (timeoutMs !== undefined) {
        timer = setTimeout(() => {
          this.input.cancelWait();
          finish(TIMED_OUT);
        }, timeoutMs);
      }
    });
  }

  write(chunk: Chunk): void {
    if (!this.closed && chunk.data.length > 0) this.output.push(chunk);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.output.push(null);
  }

  sleep(ms: number): Promise<boolean> {
    if (this.interruptRequested) return Promise.resolve(false);
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.onInterrupt = null;
        resolve(true);
      }, ms);
      this.onInterrupt = () => {
        this.onInterrupt = null;
        clearTimeout(timer);
        resolve(false);
      };
    });
  }

  untilInterrupted(): Promise<void> {
    if (this.interruptRequested) return Promise.resolve();
    return new Promise((resolve) => {
      this.onInterrupt = () => {
        this.onInterrupt = null;
        resolve();
      };
    });
  }
}
