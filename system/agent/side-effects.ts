/**
 * The simulated agent's external side effect: one durable record per step APPLICATION.
 *
 * Every application is recorded — never deduplicated — so a step that ran twice (a resume that
 * forgot a checkpoint, a zombie worker) is visible to the harness's "applied twice" check.
 *
 * Layout: `<dir>/side-effects-<pid>.jsonl`, one JSON line per application. One file per process
 * because a process SIGKILLed mid-write can leave a torn last line: in its own file that line is
 * the file's tail (the reader skips it) instead of being glued to another writer's line.
 * Each line is written with O_APPEND and fsync'd before the step counts as done. The file is
 * opened once per process and kept open: open + close per step cost two syscalls and a dentry
 * lookup each, on every step of every bead, for nothing the fsync does not already give.
 */
import { open, readdir, readFile, mkdir, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';

/** One application of one step's side effect. `key` is the idempotency key `<beadId>:<step>`. */
export interface SideEffectRecord {
  key: string;
  beadId: string;
  step: number;
  attempt: number;
  pid: number;
  /** Wall-clock time of the application, ISO 8601. */
  at: string;
}

/** Something that applies (records) a side effect durably. */
export interface SideEffectSink {
  apply(record: SideEffectRecord): Promise<void>;
}

/** The idempotency key of a step's side effect. */
export function sideEffectKey(beadId: string, step: number): string {
  return `${beadId}:${step}`;
}

const FILE_PREFIX = 'side-effects-';

/** A sink that appends to `<dir>/side-effects-<pid>.jsonl` with O_APPEND + fsync per record. */
export interface SideEffectLog extends SideEffectSink {
  /** Closes the file (later applies reopen it). */
  close(): Promise<void>;
}

/** A sink that appends to `<dir>/side-effects-<pid>.jsonl` with O_APPEND + fsync per record. */
export function createSideEffectLog(dir: string, pid: number = process.pid): SideEffectLog {
  const path = join(dir, `${FILE_PREFIX}${pid}.jsonl`);
  let file: Promise<FileHandle> | undefined;
  const opened = (): Promise<FileHandle> => {
    // 'a' = O_WRONLY|O_CREAT|O_APPEND. One write() per line keeps each line whole, also when
    // two sessions of this process apply at once.
    file ??= mkdir(dir, { recursive: true }).then(() => open(path, 'a'));
    file.catch(() => (file = undefined)); // a failed open is retried by the next apply
    return file;
  };
  return {
    async apply(record) {
      const handle = await opened();
      await handle.write(`${JSON.stringify(record)}\n`);
      await handle.sync();
    },
    async close() {
      const closing = file;
      file = undefined;
      await (await closing?.catch(() => undefined))?.close();
    },
  };
}

/**
 * Reads every record under `dir` (all `side-effects-*.jsonl` files), ordered by time then pid.
 * A torn final line (its writer was killed mid-write) is skipped; a missing dir reads as empty.
 */
export async function readSideEffects(dir: string): Promise<SideEffectRecord[]> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
  const records: SideEffectRecord[] = [];
  for (const name of names.filter((n) => n.startsWith(FILE_PREFIX) && n.endsWith('.jsonl')).sort()) {
    const text = await readFile(join(dir, name), 'utf8');
    for (const line of text.split('\n')) {
      if (line.trim() === '') continue;
      try {
        records.push(JSON.parse(line) as SideEffectRecord);
      } catch {
        // Only a killed writer's last line can be torn; it never completed, so it never counted.
      }
    }
  }
  return records.sort((a, b) => a.at.localeCompare(b.at) || a.pid - b.pid);
}

/** A key applied more than once, with every application of it. */
export interface DoubleApplied {
  key: string;
  count: number;
  records: SideEffectRecord[];
}

/** Keys that were applied more than once (the harness's "side effect applied twice" check). */
export function findDoubleApplied(records: readonly SideEffectRecord[]): DoubleApplied[] {
  const byKey = new Map<string, SideEffectRecord[]>();
  for (const record of records) {
    const list = byKey.get(record.key);
    if (list) list.push(record);
    else byKey.set(record.key, [record]);
  }
  return [...byKey.entries()].filter(([, list]) => list.length > 1).map(([key, list]) => ({ key, count: list.length, records: list }));
}
