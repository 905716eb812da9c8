/**
 * Restart time independent of history: a snapshot of what start-up needs, with the log position
 * it reflects, so recovery reads only the log's tail.
 *
 * What start-up needs is small: the beads that are not finished (to resume them) with their
 * events, the workflows that have not ended, and the submit keys whose beads only the key can find
 * (server-assigned ids, beads.ts). Finished beads are read back from the log on demand
 * (reads.ts), exactly as after retention evicted them.
 *
 * `LogProjection` folds COMMITTED events only — the log as read back by position — so the
 * snapshot is exactly "the log up to `position`", never the runtime's table (which also holds
 * events issued but not yet durable). A `Snapshotter` keeps it current in the background (it
 * reads the tail it has not seen every SNAPSHOT_INTERVAL_MS) and writes it to
 * `<dataDir>/projection-snapshot.json` (temp file, fsync, rename). At start-up a snapshot whose
 * position does not hold the same event in this log (another DB, a wiped DB) is ignored and the
 * whole log is read, as before snapshots existed.
 */
import { open, readFile, rename, rm } from 'node:fs/promises';
import type { EventRecord, EventStore } from '../events/index.ts';
import type { Logger } from './log.ts';

/** How often the snapshot catches up with the log and is written, ms. */
export const SNAPSHOT_INTERVAL_MS = 5000;
/** Page size of tail reads. */
const PAGE = 1000;
const FORMAT = 'oya.projection-snapshot.v1';

/** One event of a live bead's or workflow's stream, without what its place implies. */
export interface StoredEvent {
  type: EventRecord['type'];
  data: unknown;
  idempotencyKey: string;
  at: string;
}

/** A submit key the snapshot keeps because its beads had server-assigned ids. */
export interface StoredKey {
  fingerprint: string;
  beadIds: string[];
  workflowId?: string;
}

interface SnapshotFile {
  format: typeof FORMAT;
  position: number;
  /** The idempotency key of the event at `position`: tells this log from another one. */
  keyAtPosition: string | null;
  beads: Array<[string, StoredEvent[]]>;
  workflows: Array<[string, StoredEvent]>;
  keys: Array<[string, StoredKey]>;
  /** Whether a finished unit was dropped (absent in older files: assume so). */
  dropped?: boolean;
}

const BEAD_FINAL = new Set(['BeadSucceeded', 'BeadFailed', 'BeadCancelled']);
const WORKFLOW_FINAL = new Set(['WorkflowSucceeded', 'WorkflowFailed', 'WorkflowCancelled']);

/** The live part of the log, folded from committed events in position order. */
export class LogProjection {
  position = 0;
  keyAtPosition: string | null = null;
  /** Beads not finished (standalone) or whose workflow has not ended: every event of their stream. */
  readonly beads = new Map<string, StoredEvent[]>();
  /** Workflows that have not ended: their WorkflowSubmitted. */
  readonly workflows = new Map<string, StoredEvent>();
  readonly keys = new Map<string, StoredKey>();
  /** A finished bead or workflow was dropped: the log holds beads the projection does not. */
  dropped = false;

  apply(event: EventRecord): void {
    if (event.position <= this.position) return; // already folded (a page read twice)
    this.position = event.position;
    this.keyAtPosition = event.idempotencyKey;
    const stored: StoredEvent = { type: event.type, data: event.data, idempotencyKey: event.idempotencyKey, at: event.at };
    const data = event.data as { idempotencyKey?: string; fingerprint?: string; assignedIds?: boolean; workflowId?: string; beadIds?: string[] };
    if (event.stream.startsWith('workflow:')) {
      const id = event.stream.slice('workflow:'.length);
      if (event.type === 'WorkflowSubmitted') {
        this.workflows.set(id, stored);
        if (data.idempotencyKey !== undefined && data.fingerprint !== undefined && (data.assignedIds ?? true)) {
          this.keys.set(data.idempotencyKey, { fingerprint: data.fingerprint, beadIds: data.beadIds ?? [], workflowId: id });
        }
      } else if (WORKFLOW_FINAL.has(event.type)) {
        const submitted = this.workflows.get(id);
        this.workflows.delete(id);
        this.dropped = true;
        for (const beadId of (submitted?.data as { beadIds?: string[] } | undefined)?.beadIds ?? []) this.beads.delete(beadId);
      }
      return;
    }
    const id = event.stream.slice('bead:'.length);
    let events = this.beads.get(id);
    if (events === undefined) {
      if (event.type !== 'BeadSubmitted') return; // a late event of a bead that already finished
      events = [];
      this.beads.set(id, events);
      if (data.workflowId === undefined && data.idempotencyKey !== undefined && data.fingerprint !== undefined && (data.assignedIds ?? true)) {
        this.keys.set(data.idempotencyKey, { fingerprint: data.fingerprint, beadIds: [id] });
      }
    }
    events.push(stored);
    const workflowId = (events[0]!.data as { workflowId?: string }).workflowId;
    if (BEAD_FINAL.has(event.type) && workflowId === undefined) {
      this.beads.delete(id);
      this.dropped = true;
    }
  }

  /** Folds the log after `position`, page by page, up to its current end. Returns the events read. */
  async catchUp(store: EventStore): Promise<number> {
    let read = 0;
    for (;;) {
      const page = await store.readAll({ afterCursor: String(this.position), limit: PAGE });
      for (const event of page.events) this.apply(event);
      read += page.events.length;
      if (page.events.length < PAGE) return read;
    }
  }

  toJSON(): SnapshotFile {
    return {
      format: FORMAT,
      position: this.position,
      keyAtPosition: this.keyAtPosition,
      beads: [...this.beads],
      workflows: [...this.workflows],
      keys: [...this.keys],
      dropped: this.dropped,
    };
  }

  static fromJSON(file: SnapshotFile): LogProjection {
    const projection = new LogProjection();
    projection.position = file.position;
    projection.keyAtPosition = file.keyAtPosition;
    projection.dropped = file.dropped ?? true;
    for (const [id, events] of file.beads) projection.beads.set(id, events);
    for (const [id, event] of file.workflows) projection.workflows.set(id, event);
    for (const [key, value] of file.keys) projection.keys.set(key, value);
    return projection;
  }
}

/**
 * The snapshot in `path`, if there is one and it belongs to this log (the event at its position
 * carries the key it recorded); else an empty projection (read the whole log). Never throws for a
 * bad file: it is only an optimisation.
 */
export async function loadSnapshot(path: string, store: EventStore, log: Logger): Promise<LogProjection> {
  let file: SnapshotFile;
  try {
    file = JSON.parse(await readFile(path, 'utf8')) as SnapshotFile;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') log.warn({ err, path }, 'projection snapshot unreadable; reading the whole log');
    return new LogProjection();
  }
  // Any JSON may be there (null, a number, another program's file); read the format as a string:
  // a file of another version names another format.
  const parsed = file as Partial<Record<keyof SnapshotFile, unknown>> | null;
  const shaped =
    typeof parsed === 'object' &&
    parsed !== null &&
    parsed.format === FORMAT &&
    Number.isInteger(parsed.position) &&
    (parsed.position as number) >= 0 &&
    Array.isArray(parsed.beads) &&
    Array.isArray(parsed.workflows) &&
    Array.isArray(parsed.keys);
  if (!shaped) {
    log.warn({ path }, 'projection snapshot of an unknown format; reading the whole log');
    return new LogProjection();
  }
  if (file.position > 0) {
    const [at] = (await store.readAll({ afterCursor: String(file.position - 1), limit: 1 })).events;
    if (at?.position !== file.position || at.idempotencyKey !== file.keyAtPosition) {
      log.warn({ path, position: file.position }, 'projection snapshot does not match this log; reading the whole log');
      return new LogProjection();
    }
  }
  return LogProjection.fromJSON(file);
}

/** Writes the projection to `path` atomically and durably (temp file, fsync, rename). */
export async function writeSnapshot(path: string, projection: LogProjection): Promise<void> {
  const tmp = `${path}.${process.pid}.tmp`;
  const handle = await open(tmp, 'w');
  try {
    await handle.writeFile(JSON.stringify(projection));
    await handle.sync();
  } finally {
    await handle.close();
  }
  await rename(tmp, path).catch(async (err: unknown) => {
    await rm(tmp, { force: true });
    throw err;
  });
}

/** Keeps the snapshot current in the background: catch up with the log, write, repeat. */
export class Snapshotter {
  readonly #path: string;
  readonly #store: EventStore;
  readonly #projection: LogProjection;
  readonly #log: Logger;
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<void> | undefined;
  #written = -1;

  constructor(path: string, store: EventStore, projection: LogProjection, log: Logger) {
    this.#path = path;
    this.#store = store;
    this.#projection = projection;
    this.#log = log;
  }

  start(intervalMs = SNAPSHOT_INTERVAL_MS): void {
    this.#timer = setInterval(() => void this.snapshot(), intervalMs);
    this.#timer.unref();
  }

  /** Catches up and writes once (coalesced with a run in progress). Logs failures; never throws. */
  snapshot(): Promise<void> {
    this.#running ??= (async () => {
      try {
        if (this.#store.health().connection !== 'connected') return;
        await this.#projection.catchUp(this.#store);
        if (this.#projection.position === this.#written) return;
        await writeSnapshot(this.#path, this.#projection);
        this.#written = this.#projection.position;
      } catch (err) {
        this.#log.warn({ err, path: this.#path }, 'projection snapshot not written; the next one will try again');
      } finally {
        this.#running = undefined;
      }
    })();
    return this.#running;
  }

  stop(): void {
    clearInterval(this.#timer);
  }
}
