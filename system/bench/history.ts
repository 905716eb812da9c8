/**
 * A log of N finished beads (BeadSubmitted, BeadStarted, BeadSucceeded each, as the runtime writes
 * them), written through the event store, and a scan that reads it back: what the restart bench
 * starts from, and a check that the storage engine gives back, in a fresh process, every event
 * it committed.
 *
 *   npx tsx system/bench/history.ts check <beads> [runs=1] [engine=default|rocksdb|surrealkv]
 *
 * prints one JSON line per run: the events the writer saw committed, what it read back before
 * closing, what a fresh process reads back (and how long its open took, open-time log check
 * included, and its RSS after the scan), and the position gaps. `default` is what a new dataDir
 * opens as (rocksdb, system/events/engine.ts). (With @surrealdb/node 3.0.3 surrealkv, 100,000
 * beads lost events on reopen in 11 of 15 runs: system/bench/README.md.) A lossy reopen now
 * fails the open with ORCH_EVENT_LOG_LOST; the scan child then reports it as `lostError`.
 *
 * The embedded engine keeps its lock on the data directory until its process exits, so writing
 * and scanning run in child processes (`write <dir> <beads>`, `scan <dir>`), each printing JSON.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openEventStore, type EventStore } from '../events/index.ts';
import { parseBead } from '../scheduler/index.ts';

const SELF = fileURLToPath(import.meta.url);

/** What a scan of the log found. */
export interface LogScan {
  events: number;
  lastPosition: number;
  /** Missing positions as [first, last] ranges (at most 10 listed). */
  gaps: [number, number][];
}

type Engine = 'default' | 'rocksdb' | 'surrealkv';

function openStore(dataDir: string, engine: Engine): Promise<EventStore> {
  const db = join(dataDir, 'db');
  const where = engine === 'default' ? { dataDir: db } : { url: `${engine}://${db}` };
  return openEventStore({ ...where, outboxPath: join(dataDir, 'outbox.jsonl'), namespace: 'oya', database: 'oya' });
}

/** Appends N finished beads, 64 at a time (the store's group commit batches them). Returns the append results by status. */
async function writeHistory(store: EventStore, n: number): Promise<Record<string, number>> {
  const statuses: Record<string, number> = {};
  let next = 0;
  await Promise.all(
    Array.from({ length: 64 }, async () => {
      for (let i = next++; i < n; i = next++) {
        const id = `hist-${i}`;
        const b = parseBead({ id, title: id, input: { agent: { steps: 1 } } });
        const stream = `bead:${id}`;
        const data = {
          beadId: id,
          priority: b.priority,
          maxAttempts: b.maxAttempts,
          input: b.input,
          bead: b,
          seed: `1:${id}`,
          idempotencyKey: `bead:${id}`,
          fingerprint: 'bench',
          assignedIds: false,
        };
        // One after the other, as the runtime's commits of one bead land.
        const results = [
          await store.append(stream, { type: 'BeadSubmitted', data }, { idempotencyKey: `${id}:submitted` }),
          await store.append(stream, { type: 'BeadStarted', data: { attempt: 1, workerId: 'bench' } }, { idempotencyKey: `${id}:started:1` }),
          await store.append(stream, { type: 'BeadSucceeded', data: { attempt: 1, result: null } }, { idempotencyKey: `${id}:outcome` }),
        ];
        for (const r of results) statuses[r.status] = (statuses[r.status] ?? 0) + 1;
      }
    }),
  );
  return statuses;
}

/** Reads the whole log in position order and notes every missing position. */
async function scanLog(store: EventStore): Promise<LogScan> {
  const scan: LogScan = { events: 0, lastPosition: 0, gaps: [] };
  for (;;) {
    const page = await store.readAll({ ...(scan.lastPosition === 0 ? {} : { afterCursor: String(scan.lastPosition) }), limit: 1000 });
    if (page.events.length === 0) return scan;
    for (const event of page.events) {
      if (event.position !== scan.lastPosition + 1 && scan.gaps.length < 10) scan.gaps.push([scan.lastPosition + 1, event.position - 1]);
      scan.lastPosition = event.position;
      scan.events++;
    }
  }
}

/** Runs `history.ts <args>` in a child process and returns the JSON it printed last. */
export async function historyChild<T>(args: string[]): Promise<T> {
  const child = spawn(process.execPath, ['--import', 'tsx', SELF, ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  const code = await new Promise<number | null>((r) => child.once('exit', r));
  if (code !== 0) throw new Error(`history.ts ${args[0]} exited with ${code}`);
  return JSON.parse(out.trim().split('\n').at(-1)!) as T;
}

/** The child's side of `write`: append, scan before closing, print both. */
export interface WriteReport {
  statuses: Record<string, number>;
  beforeClose: LogScan;
  writeMs: number;
}

function parseEngine(arg: string | undefined): Engine {
  if (arg === undefined || arg === 'default' || arg === 'rocksdb' || arg === 'surrealkv') return arg ?? 'default';
  throw new Error(`unknown engine ${JSON.stringify(arg)} (default, rocksdb, surrealkv)`);
}

async function main(args: string[]): Promise<void> {
  const [mode, ...rest] = args;
  if (mode === 'write' || mode === 'scan') {
    const engine = parseEngine(rest[mode === 'write' ? 2 : 1]);
    const opening = performance.now();
    let store: EventStore;
    try {
      store = await openStore(rest[0]!, engine);
    } catch (err) {
      if ((err as { code?: string }).code !== 'ORCH_EVENT_LOG_LOST' || mode !== 'scan') throw err;
      // The open-time check saw the loss: report it (and what a scan of the raw engine would have found is unknown).
      process.stdout.write(`${JSON.stringify({ events: -1, lastPosition: -1, gaps: [], lostError: (err as Error).message })}\n`);
      return;
    }
    const openMs = Math.round(performance.now() - opening);
    try {
      const t0 = performance.now();
      const report =
        mode === 'write'
          ? { statuses: await writeHistory(store, Number(rest[1])), writeMs: 0, beforeClose: await scanLog(store) }
          : { ...(await scanLog(store)), openMs, rssMiB: Math.round(process.memoryUsage().rss / 2 ** 20) };
      if (mode === 'write') (report as WriteReport).writeMs = Math.round(performance.now() - t0);
      process.stdout.write(`${JSON.stringify(report)}\n`);
    } finally {
      await store.close();
    }
    return;
  }
  if (mode === 'check') {
    const beads = Number(rest[0]);
    const runs = Number(rest[1] ?? 1);
    const engine = parseEngine(rest[2]);
    for (let run = 1; run <= runs; run++) {
      const dataDir = await mkdtemp(join(tmpdir(), 'oya-history-check-'));
      try {
        const written = await historyChild<WriteReport>(['write', dataDir, String(beads), engine]);
        const afterReopen = await historyChild<LogScan & { lostError?: string }>(['scan', dataDir, engine]);
        const lost = afterReopen.lostError === undefined ? written.beforeClose.events - afterReopen.events : 'detected';
        console.log(JSON.stringify({ run, beads, engine, ...written, afterReopen, lost }));
      } finally {
        await rm(dataDir, { recursive: true, force: true });
      }
    }
    return;
  }
  process.stderr.write('usage: tsx system/bench/history.ts check <beads> [runs] [engine] | write <dataDir> <beads> [engine] | scan <dataDir> [engine]\n');
  process.exitCode = 2;
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === SELF) {
  main(process.argv.slice(2))
    .catch((err: unknown) => {
      process.stderr.write(`history: ${(err as Error).stack ?? String(err)}\n`);
      process.exitCode = 1;
    })
    // The embedded engine's native handle keeps the process alive after close() (system/events/README.md).
    .finally(() => process.exit());
}
