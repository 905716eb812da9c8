/**
 * The durable local outbox: where appends go while SurrealDB is unreachable or too slow.
 *
 * Format: one JSON line per event `{"v":1,"stream","type","data","idempotencyKey","at"}`, appended
 * and fsync'd before add() resolves (so an acknowledged append survives SIGKILL and power loss).
 * A torn LAST line (the process died mid-write, so that append was never acknowledged) is cut off
 * on open; a bad line anywhere else is corruption (ORCH_OUTBOX_CORRUPT).
 *
 * Entries leave the outbox only after the DB confirmed them: removeFirst(n) rewrites the file
 * with the remaining entries (temp file, fsync, rename, fsync of the directory). If the process
 * dies between the DB commit and the rewrite, the next flush sends the entry again and the
 * idempotency index turns it into a no-op.
 *
 * With `path: null` the outbox lives in memory only (mem:// stores in tests): not durable.
 */
import { open, rename, mkdir, readFile, type FileHandle } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { PendingEvent } from './types.ts';
import { OutboxCorruptError, OutboxWriteError } from './errors.ts';

const FORMAT_VERSION = 1;

/** A durable FIFO of pending events. Not safe for concurrent add/remove: the store serialises them. */
export class Outbox {
  readonly path: string | null;
  #entries: PendingEvent[];
  #file: FileHandle | null;

  private constructor(path: string | null, entries: PendingEvent[], file: FileHandle | null) {
    this.path = path;
    this.#entries = entries;
    this.#file = file;
  }

  /** Opens (or creates) the outbox at `path`, loading entries left by an earlier process. */
  static async open(path: string | null): Promise<Outbox> {
    if (path === null) return new Outbox(null, [], null);
    await mkdir(dirname(path), { recursive: true });
    const entries = await loadEntries(path);
    const file = await open(path, 'a');
    await file.sync();
    await fsyncDir(dirname(path));
    return new Outbox(path, entries, file);
  }

  get size(): number {
    return this.#entries.length;
  }

  /** The pending entries, oldest first (a copy). */
  entries(): PendingEvent[] {
    return [...this.#entries];
  }

  /** Appends entries (one write, one fsync for all). Throws ORCH_OUTBOX_WRITE_FAILED if the disk refuses. */
  async add(...entries: PendingEvent[]): Promise<void> {
    if (entries.length === 0) return;
    if (this.#file !== null) {
      const lines = entries.map((entry) => JSON.stringify({ v: FORMAT_VERSION, ...entry }) + '\n').join('');
      try {
        await this.#file.write(lines);
        await this.#file.sync();
      } catch (err) {
        throw new OutboxWriteError(this.path ?? '', err);
      }
    }
    this.#entries.push(...entries);
  }

  /** Drops the first `count` entries (the DB confirmed them) and durably rewrites the file. */
  async removeFirst(count: number): Promise<void> {
    if (count <= 0) return;
    const remaining = this.#entries.slice(count);
    if (this.path !== null && this.#file !== null) {
      const tmp = `${this.path}.tmp`;
      const body = remaining.map((e) => JSON.stringify({ v: FORMAT_VERSION, ...e }) + '\n').join('');
      try {
        const handle = await open(tmp, 'w');
        try {
          await handle.write(body);
          await handle.sync();
        } finally {
          await handle.close();
        }
        await this.#file.close();
        await rename(tmp, this.path);
        await fsyncDir(dirname(this.path));
        this.#file = await open(this.path, 'a');
      } catch (err) {
        throw new OutboxWriteError(this.path, err);
      }
    }
    this.#entries = remaining;
  }

  /** Closes the file. Entries stay on disk for the next open. Idempotent. */
  async close(): Promise<void> {
    const file = this.#file;
    this.#file = null;
    await file?.close();
  }
}

async function loadEntries(path: string): Promise<PendingEvent[]> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
  const lines = text.split('\n');
  const entries: PendingEvent[] = [];
  let goodBytes = 0;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    const isLast = i === lines.length - 1;
    if (line === '') continue;
    const entry = parseLine(line);
    // Only a last line without its newline can be torn by a crash mid-write.
    if (entry === null || isLast) {
      if (isLast) break;
      throw new OutboxCorruptError(path, i + 1, 'not a valid JSON entry');
    }
    entries.push(entry);
    goodBytes += Buffer.byteLength(line) + 1;
  }
  if (goodBytes < Buffer.byteLength(text)) {
    // Cut the torn tail so the next append starts on a clean line.
    const handle = await open(path, 'r+');
    try {
      await handle.truncate(goodBytes);
      await handle.sync();
    } finally {
      await handle.close();
    }
  }
  return entries;
}

function parseLine(line: string): PendingEvent | null {
  try {
    const raw = JSON.parse(line) as Record<string, unknown>;
    if (raw.v !== FORMAT_VERSION || typeof raw.stream !== 'string' || typeof raw.type !== 'string') return null;
    if (typeof raw.idempotencyKey !== 'string' || typeof raw.at !== 'string') return null;
    return {
      stream: raw.stream,
      type: raw.type as PendingEvent['type'],
      data: raw.data,
      idempotencyKey: raw.idempotencyKey,
      at: raw.at,
    };
  } catch {
    return null;
  }
}

/** fsync a directory so a created or renamed file's name is durable, not only its bytes. */
async function fsyncDir(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
