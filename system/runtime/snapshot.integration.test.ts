/**
 * Restart from a snapshot (`oya start` children on one data dir, embedded SurrealDB): the second start reads only the
 * log after the snapshot's position, resumes the bead that was in flight, and still answers for
 * the beads that finished before (from the log). A snapshot of another log is ignored.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Cleanups, allEvents, http, spawnOya, tempDir, waitFor, waitForBeads, type OyaChild } from './test-helpers.ts';

const cleanups = new Cleanups();
afterAll(() => cleanups.run());

/** Starts `oya start` on `dataDir` (a child: the embedded DB is reopened by a new process) with its recovery log line. */
async function start(dataDir: string): Promise<{ oya: OyaChild; url: string; recovery: Record<string, number> }> {
  const oya = await spawnOya(cleanups, ['--port', '0', '--data-dir', dataDir, '--workers', '2', '--reconcile-tick', '200', '--log-level', 'info']);
  const recovery = oya
    .stderr()
    .split('\n')
    .filter((line) => line.includes('"step":"recovery"'))
    .map((line) => JSON.parse(line) as Record<string, number>)[0]!;
  return { oya, url: oya.url, recovery };
}

/** SIGTERM (graceful: the last snapshot is written before the log closes) and wait for the exit. */
async function stop(oya: OyaChild): Promise<void> {
  oya.child.kill('SIGTERM');
  expect(await oya.exited).toEqual({ code: 0, signal: null });
}

const bead = (id: string, agent: Record<string, unknown> = {}) => ({ id, title: id, input: { agent: { steps: 2, ...agent } } });

describe('start-up from a snapshot', () => {
  it('reads only the tail, resumes the in-flight bead, answers for finished ones; ignores a foreign snapshot', async () => {
    const dataDir = await tempDir(cleanups);
    const first = await start(dataDir);
    expect(first.recovery).toMatchObject({ snapshotPosition: 0, events: 0 });
    const done = Array.from({ length: 8 }, (_, i) => `s-${i}`);
    for (const id of done) expect((await http(first.url, 'POST', '/beads', bead(id))).status).toBe(201);
    await waitForBeads(first.url, done);
    expect((await http(first.url, 'POST', '/beads', bead('s-long', { steps: 40, stepTime: '50ms' }))).status).toBe(201);
    await waitFor('s-long running', async () => ((await http(first.url, 'GET', '/beads/s-long')).body.bead.lastCheckpointStep ?? 0) >= 2);
    const logLength = (await allEvents(first.url)).length;
    await stop(first.oya);

    const second = await start(dataDir);
    expect(second.recovery.snapshotPosition).toBeGreaterThan(0);
    // Only what was appended after the snapshot: far less than the whole log.
    expect(second.recovery.events).toBeLessThan(logLength / 2);
    expect(second.recovery.beads).toBe(1); // only s-long is live
    const views = await waitForBeads(second.url, ['s-long', ...done], 60_000);
    expect(views['s-long']).toMatchObject({ status: 'succeeded' });
    expect(views['s-0']).toMatchObject({ status: 'succeeded', lastCheckpointStep: 2 });
    // A resubmit of a bead that finished before the restart is still recognised.
    expect((await http(second.url, 'POST', '/beads', bead('s-3'))).status).toBe(200);
    await stop(second.oya);

    const foreign = { format: 'oya.projection-snapshot.v1', position: 3, keyAtPosition: 'not-this-log', beads: [], workflows: [], keys: [] };
    await writeFile(join(dataDir, 'projection-snapshot.json'), JSON.stringify(foreign));
    const third = await start(dataDir);
    expect(third.recovery.snapshotPosition).toBe(0);
    expect(third.recovery.events).toBeGreaterThanOrEqual(logLength);
    expect((await http(third.url, 'GET', '/beads/s-long')).body.bead.status).toBe('succeeded');
    await stop(third.oya);
  });
});
