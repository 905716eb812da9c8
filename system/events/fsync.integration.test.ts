/**
 * Durability guard: every committed append costs at least one sync of the embedded store, counted
 * by strace over a real process (the method README.md documents) as fsync + fdatasync: the default
 * engine, RocksDB, syncs its WAL with fdatasync (surrealkv used fsync). With appends in flight
 * together, every committed BATCH costs one. A version bump of @surrealdb/node that switched the
 * default sync mode would fail here. (The high-water mark, mark.ts, is synced on the watchdog's
 * tick and on close only: fsync-count.ts sets a tick far beyond the run.)
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const SCRIPT = fileURLToPath(new URL('./fsync-count.ts', import.meta.url));
const hasStrace = spawnSync('strace', ['-V']).status === 0;

/** strace -c writes its table on stderr: "... calls ... syscall" rows. */
function syncCalls(appends: number, mode = '-', inFlight = 1): number {
  return straced(appends, mode, inFlight).syncs;
}

/** Runs fsync-count.ts under strace: the fsync+fdatasync calls and the store's write counters. */
function straced(appends: number, mode: string, inFlight: number): { syncs: number; writes: { bulkCommits: number; fallbacks: number } } {
  const res = spawnSync(
    'strace',
    ['-f', '-c', '-e', 'trace=fsync,fdatasync', process.execPath, '--import', 'tsx', SCRIPT, String(appends), mode, String(inFlight)],
    { encoding: 'utf8', timeout: 120_000 },
  );
  if (res.status !== 0) throw new Error(`strace run failed (${res.status}): ${res.stderr.slice(-500)}`);
  let total = 0;
  for (const line of res.stderr.split('\n')) {
    const cols = line.trim().split(/\s+/);
    const name = cols.at(-1);
    if (name === 'fsync' || name === 'fdatasync') total += Number(cols[3]);
  }
  const writesLine = res.stdout.split('\n').find((l) => l.startsWith('writes '));
  if (writesLine === undefined) throw new Error(`fsync-count printed no write counters: ${res.stdout.slice(-500)}`);
  return { syncs: total, writes: JSON.parse(writesLine.slice('writes '.length)) };
}

// Skipped only outside CI; .ci/run installs strace, so in CI a missing strace is a failure.
describe.skipIf(!hasStrace && process.env.CI !== 'true')('event store durability (strace; apt-get install strace)', () => {
  it('fsyncs once per committed append, and not at all with sync=never', () => {
    const baseline = syncCalls(0);
    const withAppends = syncCalls(200);
    expect(withAppends - baseline).toBeGreaterThanOrEqual(200);
    // The contrast proves the count measures commits, not something else the process does.
    expect(syncCalls(200, '?sync=never')).toBeLessThan(baseline + 20);
  }, 180_000);

  it('fsyncs once per committed batch when appends are in flight together (group commit, bulk path)', () => {
    const baseline = syncCalls(0);
    const run = straced(400, '-', 32);
    expect(run.writes.fallbacks).toBe(0);
    // Batched: far fewer transactions than appends, and each of them fsync'd before its appends resolved.
    expect(run.writes.bulkCommits).toBeLessThan(400);
    expect(run.syncs - baseline).toBeGreaterThanOrEqual(run.writes.bulkCommits);
  }, 180_000);
});
