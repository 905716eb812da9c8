import type { Socket } from 'node:net';
import type { Random } from './random.ts';
import { ChunkQueue, ToxicStub, type InstalledToxic } from './stub.ts';
import { passThrough } from './toxics/types.ts';

/** `upstream` carries client → server bytes, `downstream` server → client. */
export type Direction = 'upstream' | 'downstream';

/** Chunks a link may hold before it pauses its source socket (Go: the latency toxic's 1024-chunk buffer). */
const LATENCY_BUFFER_CHUNKS = 1024;
/** Chunks any link may hold besides latency buffers (Go's chain is otherwise unbuffered). */
const BASE_BUFFER_CHUNKS = 16;

/** How a link closes the destination socket when its chain ends. */
export interface LinkEnds {
  source: Socket;
  dest: Socket;
  /** Fully closes `dest` after its pending writes (or resets it, for reset_peer connections). */
  closeDest(): void;
}

/**
 * One direction of one proxied connection (Go's ToxicLink): a reader that turns socket reads into
 * timestamped chunks, a chain of stubs (a hidden noop, then one per toxic in insertion order), and a
 * writer. Toxics can be added, updated and removed while data flows: pending data is handed on,
 * never lost, duplicated or reordered.
 */
export class ToxicLink {
  private readonly stubs: ToxicStub[];
  private readonly sink: ChunkQueue;
  private paused = false;
  private ended = false;

  constructor(
    readonly direction: Direction,
    toxics: readonly InstalledToxic[],
    private readonly ends: LinkEnds,
    private readonly random: Random,
  ) {
    this.sink = this.queue();
    const head = new ToxicStub(this.queue(), this.sink, null, random);
    this.stubs = [head];
    for (const toxic of toxics) this.append(toxic);
  }

  /** Starts reading, the stubs and the writer. */
  start(): void {
    const { source } = this.ends;
    for (const stub of this.stubs) stub.run(passThrough);
    source.on('data', (data: Buffer) => {
      this.stubs[0]!.input.push({ data, time: performance.now() });
      this.checkBackPressure();
    });
    const end = (): void => {
      if (this.ended) return;
      this.ended = true;
      this.stubs[0]!.input.push(null);
    };
    source.on('end', end);
    source.on('close', end);
    source.resume();
    void this.writeLoop();
  }

  /** Appends a toxic at the end of the chain (Go: AddToxic interrupts the last stub and relinks). */
  async addToxic(toxic: InstalledToxic): Promise<void> {
    const last = this.stubs[this.stubs.length - 1]!;
    if (!(await last.interrupt())) return;
    const stub = this.append(toxic);
    last.run(passThrough);
    stub.run(passThrough);
  }

  /** Restarts the stub of `toxic` so new attributes apply and toxicity is rolled again. */
  async updateToxic(toxic: InstalledToxic): Promise<void> {
    const stub = this.stubs.find((s) => s.toxic === toxic);
    if (stub && (await stub.interrupt())) stub.run(passThrough);
  }

  /**
   * Removes `toxic`: its queued data moves on to the next stage, the previous stage is relinked.
   * `closeAfter` runs the timeout toxic's cleanup: the stub closes, which closes the connection.
   */
  async removeToxic(toxic: InstalledToxic, closeAfter: boolean): Promise<void> {
    const index = this.stubs.findIndex((s) => s.toxic === toxic);
    if (index <= 0) return;
    const stub = this.stubs[index]!;
    if (!(await stub.interrupt())) return;
    const previous = this.stubs[index - 1]!;
    const previousRunning = await previous.interrupt();
    if (closeAfter) stub.close();
    else for (const item of stub.input.drain()) stub.output.push(item);
    previous.output = stub.output;
    this.stubs.splice(index, 1);
    if (previousRunning) previous.run(passThrough);
  }

  /** Stops every stage once both sockets are closed, so no toxic timer outlives its connection. */
  abort(): void {
    for (const stub of this.stubs) stub.abort();
  }

  private append(toxic: InstalledToxic): ToxicStub {
    const last = this.stubs[this.stubs.length - 1]!;
    const stub = new ToxicStub(this.queue(), this.sink, toxic, this.random);
    last.output = stub.input;
    this.stubs.push(stub);
    return stub;
  }

  private queue(): ChunkQueue {
    return new ChunkQueue(() => this.checkBackPressure());
  }

  /** Pauses the source while the chain holds more than its buffers allow (pause/resume back-pressure). */
  private checkBackPressure(): void {
    let held = this.sink.length;
    let limit = BASE_BUFFER_CHUNKS;
    for (const stub of this.stubs) {
      held += stub.input.length;
      if (stub.toxic?.definition.bufferSize) limit += LATENCY_BUFFER_CHUNKS;
    }
    const { source } = this.ends;
    if (!this.paused && held >= limit) {
      this.paused = true;
      source.pause();
    } else if (this.paused && held < limit / 2) {
      this.paused = false;
      source.resume();
    }
  }

  private async writeLoop(): Promise<void> {
    const { dest } = this.ends;
    for (;;) {
      let item = this.sink.takeNow();
      if (item === undefined) item = await new Promise<ChunkQueueItem>((resolve) => this.sink.wait(resolve));
      if (item === null) {
        this.ends.closeDest();
        return;
      }
      if (dest.destroyed) continue;
      if (!dest.write(item.data)) {
        await new Promise<void>((resolve) => {
          const done = (): void => {
            dest.off('drain', done);
            dest.off('close', done);
            resolve();
          };
          dest.on('drain', done);
          dest.on('close', done);
        });
      }
    }
  }
}

type ChunkQueueItem = Parameters<ChunkQueue['push']>[0];
