/**
 * The bulk write path's heads under contention: many concurrent appends to the SAME streams,
 * spread over many streams, land in shared group commits; after a reopen every stream's head
 * (what the writer loads after a refusal, what the next append numbers from) must equal the highest seq the stream holds,
 * and a further append must get the next seq. An earlier version once left an event at seq 1
 * that its stream head did not count. Each phase runs in its own process (fixtures/heads-contention.ts).
 */
import { expect, it, onTestFinished } from 'vitest';
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { beadStream } from './index.ts';

const BEADS = 64;
const PER_BEAD = 3;
const ROUNDS = 2;
const fixture = fileURLToPath(new URL('./fixtures/heads-contention.ts', import.meta.url));

/** Runs one phase (bounded: a hang fails the test instead of holding it) and parses its JSON line, which is a `T`. */
async function phase<T>(...args: string[]): Promise<T> {
  const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', fixture, ...args], { timeout: 90_000, killSignal: 'SIGKILL' });
  return JSON.parse(stdout.trim().split('\n').at(-1)!) as T;
}

it(
  `${BEADS} beads × ${PER_BEAD} concurrent appends each, ${ROUNDS} rounds: ` +
    "after a reopen every head equals its stream's highest seq, and the next append gets the next seq",
  async () => {
    const dir = await mkdtemp(join(tmpdir(), 'oya-heads-int-'));
    onTestFinished(() => rm(dir, { recursive: true, force: true, maxRetries: 10, retryDelay: 100 }));
    const dataDir = join(dir, 'db');
    const streams = Array.from({ length: BEADS }, (_, i) => beadStream(`h${i}`));
    const perStream = PER_BEAD * ROUNDS;

    const written = await phase<{ notCommitted: number; writes: unknown }>('write', dataDir, String(BEADS), String(PER_BEAD), String(ROUNDS));
    console.info(`[measure] heads: ${BEADS * perStream} appends, write paths ${JSON.stringify(written.writes)}`);
    expect(written.notCommitted).toBe(0);

    const byStream = await phase<Record<string, { head?: number; max: number; count: number }>>('inspect', dataDir);
    expect(Object.keys(byStream).sort()).toEqual([...streams].sort());
    for (const stream of streams) expect({ stream, ...byStream[stream] }).toEqual({ stream, head: perStream, max: perStream, count: perStream });

    const next = await phase<unknown>('next', dataDir, String(BEADS));
    expect(next).toEqual(streams.map(() => perStream + 1));
  },
  300_000,
);
