/**
 * Durability check (see README.md): appends N events to a fresh surrealkv store so that strace
 * can count fsync/fdatasync calls. Usage:
 *   strace -f -c -e trace=fsync,fdatasync node --import tsx system/events/fsync-count.ts 1000
 * Optional 2nd arg: a query suffix for the datastore URL (e.g. "?sync=never") to show the contrast,
 * or "outbox": the DB is unreachable (a closed port), so every append goes to the outbox file.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openEventStore } from './index.ts';

const count = Number(process.argv[2] ?? 1000);
const suffix = process.argv[3] ?? '';
const dir = await mkdtemp(join(tmpdir(), 'oya-fsync-'));
const store =
  suffix === 'outbox'
    ? await openEventStore({ url: 'ws://127.0.0.1:1/rpc', outboxPath: join(dir, 'outbox.jsonl'), connectTimeoutMs: 200, pingIntervalMs: 600_000 })
    : await openEventStore({ url: `surrealkv://${join(dir, 'db')}${suffix}`, pingIntervalMs: 600_000 });
const started = performance.now();
for (let i = 0; i < count; i++) {
  await store.append(`bead:f${i % 10}`, { type: 'BeadQueued', data: { i } }, { idempotencyKey: `fsync-${i}` });
}
const elapsed = performance.now() - started;
await store.close();
await rm(dir, { recursive: true, force: true });
process.stdout.write(`${count} appends in ${elapsed.toFixed(0)} ms (${(elapsed / Math.max(count, 1)).toFixed(3)} ms each)\n`);
// The embedded engine keeps a native handle alive after close (see connection.ts).
process.exit(0);
