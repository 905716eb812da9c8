/**
 * The high-water mark: the highest global position this store saw committed, in a small file
 * next to the engine's directory (`<dir>.mark`), so a reopen can tell "the engine lost committed
 * events" (mark above the log head, integrity.ts) from "nothing was written".
 *
 * Cost: record() is one pwrite of a fixed-width line into the page cache after each commit (no
 * fsync: a kill -9 keeps the page cache; README.md has the measured cost). sync() fdatasyncs it
 * when it changed, from the watchdog's tick and on close, so after a power loss the mark may lag
 * the log by up to one tick — a lower mark only weakens the check, it never fails a good log.
 * Outside the engine's directory because that one belongs to the engine (surrealkv and RocksDB
 * both list and delete files in it), and so it survives whatever the engine does to its files.
 */
import { closeSync, constants, fdatasync, openSync, readFileSync, writeSync } from 'node:fs';
import { EventStoreConfigError } from './errors.ts';

/** Fixed width: every write overwrites the whole previous line, so no truncate is needed. */
const WIDTH = 20;

export class HighWaterMark {
  readonly path: string | null;
  #fd: number | null;
  #value: number;
  #dirty = false;

  private constructor(path: string | null, fd: number | null, value: number) {
    this.path = path;
    this.#fd = fd;
    this.#value = value;
  }

  /** Opens (creating if missing) the mark at `path`; null = no mark (mem://, remote). Throws ORCH_EVENT_STORE_CONFIG_INVALID if unusable. */
  static open(path: string | null): HighWaterMark {
    if (path === null) return new HighWaterMark(null, null, 0);
    try {
      const value = readMark(path) ?? 0;
      // Not O_APPEND: record() rewrites offset 0 (with O_APPEND, Linux would append instead).
      return new HighWaterMark(path, openSync(path, constants.O_RDWR | constants.O_CREAT, 0o644), value);
    } catch (err) {
      throw new EventStoreConfigError('markPath', `cannot open the high-water mark ${path}: ${(err as Error).message}`);
    }
  }

  /** The highest position recorded (read from the file at open). */
  get value(): number {
    return this.#value;
  }

  /** Notes `position` as committed (ignored unless higher than the mark). Cheap: a pwrite, no fsync. */
  record(position: number): void {
    if (position <= this.#value) return;
    this.#value = position;
    if (this.#fd === null) return;
    this.#dirty = true;
    try {
      writeSync(this.#fd, `${String(position).padStart(WIDTH, ' ')}\n`, 0);
    } catch {
      // A mark that could not be written is only a weaker check next time; never fail a commit for it.
    }
  }

  /** fdatasyncs the mark if it changed since the last sync. Never throws (see record()). */
  async sync(): Promise<void> {
    const fd = this.#fd;
    if (fd === null || !this.#dirty) return;
    this.#dirty = false;
    await new Promise<void>((resolve) => fdatasync(fd, () => resolve()));
  }

  /** Syncs and closes. Idempotent. */
  async close(): Promise<void> {
    await this.sync();
    const fd = this.#fd;
    this.#fd = null;
    if (fd !== null) closeSync(fd);
  }
}

/** The position in a mark file; undefined when the file is missing or empty. */
export function readMark(path: string): number | undefined {
  let text: string;
  try {
    text = readFileSync(path, 'utf8').trim();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
  if (text === '') return undefined;
  const value = Number(text);
  return Number.isSafeInteger(value) && value >= 0 ? value : undefined;
}
