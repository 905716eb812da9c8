/**
 * Durability check (see README.md): appends N events to a fresh embedded store (rocksdb, the
 * default for a new directory; RocksDB syncs its WAL with fdatasync, surrealkv with fsync) so that
 * strace can count fsync/fdatasync calls. Usage:
 *   strace -f -c -e trace=fsync,fdatasync node --import tsx system/events/fsync-count.ts 1000
 * Optional 2nd arg: a query suffix for the datastore URL (e.g. "?sync=never") to show the contrast,
 * or "outbox": the DB is unreachable (a closed port), so every append goes to the outbox file;
 * "-" for neither. Optional 3rd arg: appends in flight at once (default 1); above 1 the writer
 * groups them (group commit), so there are fewer fsyncs than appends. Prints the store's write
 * counters (`writes {...}`: bulk commits, fallbacks) so a caller can compare fsyncs with commits.
 * Optional 5th arg: the engine, `rocksdb` (default) or `surrealkv`.
 */
import { rmSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openEventStore } from './index.ts';

const count = Number(process.argv[2] ?? 1000);
const suffix = process.argv[3] === '-' ? '' : (process.argv[3] ?? '');
const concurrency = Number(process.argv[4] ?? 1);
const engine = process.argv[5] ?? 'rocksdb';
const dir = await mkdtemp(join(tmpdir(), 'oya-fsync-'));
// Also when the open or an append throws (the exit event fires after an uncaught error too).
process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
const store =
  suffix === 'outbox'
    ? await openEventStore({ url: 'ws://127.0.0.1:1/rpc', outboxPath: join(dir, 'outbox.jsonl'), connectTimeoutMs: 200, pingIntervalMs: 600_000 })
    : // Under strace -f the engine's start (a dozen threads, every syscall traced) takes seconds on a
      // busy machine: the default 5 s connect bound failed this check beside a soak. What it counts is fsyncs, not time.
      await openEventStore({ url: `${engine}://${join(dir, 'db')}${suffix}`, pingIntervalMs: 600_000, connectTimeoutMs: 60_000 });
const started = performance.now();
let next = 0;
async function appender(): Promise<void> {
  for (let i = next++; i < count; i = next++) {
    await store.append(`bead:f${i % 10}`, { type: 'BeadQueued', data: { i } }, { idempotencyKey: `fsync-${i}` });
  }
}
await Promise.all(Array.from({ length: concurrency }, appender));
const elapsed = performance.now() - started;
const writes = store.health().writes;
await store.close();
const perSecond = (count / elapsed) * 1000;
process.stdout.write(`${count} appends, ${concurrency} in flight: ${elapsed.toFixed(0)} ms (${perSecond.toFixed(0)} appends/s)\n`);
// Read by fsync.integration.test.ts: the transactions that had to be durable.
process.stdout.write(`writes ${JSON.stringify(writes)}\n`);
// The embedded engine keeps a native handle alive after close (see connection.ts).
process.exit(0);
