import type { Random } from '../random.ts';

/** One socket read travelling through a toxic chain; `time` is when it was read (performance.now() ms). */
export interface Chunk {
  data: Buffer;
  time: number;
}

/** Returned by StubIO reads and sleeps when the stub is being interrupted (toxic added, updated or removed). */
export const INTERRUPTED = Symbol('interrupted');
/** Returned by `StubIO.read(timeoutMs)` when no chunk arrived in time. */
export const TIMED_OUT = Symbol('timed-out');

/**
 * What a toxic sees of its place in a link: the Go ToxicStub (toxics/toxic.go). `read()` gives the
 * next chunk, `null` at end of stream, or INTERRUPTED; a toxic returns from `pipe` on INTERRUPTED
 * (after forwarding anything it holds) and calls `close()` at end of stream or to cut the connection.
 */
export interface StubIO {
  read(timeoutMs?: number): Promise<Chunk | null | typeof INTERRUPTED | typeof TIMED_OUT>;
  write(chunk: Chunk): void;
  /** Ends this stub's output; the link then flushes and fully closes the destination socket. */
  close(): void;
  /** Waits `ms`; resolves false when interrupted first. */
  sleep(ms: number): Promise<boolean>;
  /** Resolves when the stub is interrupted (used by toxics that stall until changed). */
  untilInterrupted(): Promise<void>;
  readonly random: Random;
  /** Per-link state of a stateful toxic (limit_data); it survives interrupts and restarts. */
  state: Record<string, number>;
}

/** One toxic type: its attributes in Go struct field order, and its behaviour. */
export interface ToxicDefinition {
  type: string;
  /** Attribute names in the order Toxiproxy prints them; all are int64 and default to 0. */
  attributes: readonly string[];
  /** Chunks buffered on this toxic's input before back-pressure (latency: 1024, others: 0). */
  bufferSize: number;
  pipe(stub: StubIO, attributes: Readonly<Record<string, number>>): Promise<void>;
}

/** The pass-through loop shared by noop and by any toxic whose toxicity roll failed. */
export async function passThrough(stub: StubIO): Promise<void> {
  for (;;) {
    const chunk = await stub.read();
    if (chunk === INTERRUPTED) return;
    if (chunk === null) {
      stub.close();
      return;
    }
    if (chunk !== TIMED_OUT) stub.write(chunk);
  }
}
