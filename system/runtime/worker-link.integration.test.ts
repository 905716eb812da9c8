/**
 * The standing link to a real worker process: consecutive sessions share one event stream, each
 * session's route sees only its own run's events, and the worker keeps a bounded number of
 * finished sessions. (A stream that breaks and is reopened: partition.integration.test.ts.)
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { MAX_FINISHED_SESSIONS } from '../worker/sessions.ts';
import { startWorker, type WorkerEvent, type WorkerHandle } from '../worker/index.ts';
import { workerLink } from './worker-link.ts';

let worker: WorkerHandle;
let dir: string;
// Each hook's teardown undoes only what it made; they run in reverse (the worker stops before its dir goes).
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'oya-worker-link-'));
  return () => rm(dir, { recursive: true, force: true });
});
beforeAll(async () => {
  worker = await startWorker({ id: 'link-test', sideEffectsDir: dir });
  return async () => {
    await worker.destroy();
  };
});

/** Events of a route until its session ends. */
async function untilEnd(events: { next(): Promise<WorkerEvent | undefined> }): Promise<WorkerEvent[]> {
  const seen: WorkerEvent[] = [];
  for (;;) {
    const event = await events.next();
    if (event === undefined) throw new Error('route closed');
    seen.push(event);
    if (event.type === 'session.idle' || event.type === 'session.error') return seen;
  }
}

describe('WorkerLink', () => {
  it('runs consecutive and concurrent sessions over one stream, each route seeing only its session', async () => {
    const link = workerLink(worker);
    link.warm();
    const client = await link.client();
    for (let i = 0; i < 3; i++) {
      const sessionID = await link.session();
      const events = await link.events(sessionID);
      await client.promptAsync(sessionID, { beadId: `seq-${i}`, input: { steps: 2 }, seed: i });
      const seen = await untilEnd(events);
      events.close();
      const own = seen.filter((e) => 'sessionID' in e.properties);
      expect(own.every((e) => (e.properties as { sessionID: string }).sessionID === sessionID)).toBe(true);
      expect(own.filter((e) => e.type === 'checkpoint')).toHaveLength(2);
    }
    // Two sessions at once on the same worker: still routed apart.
    const [a, b] = [await link.session(), await link.session()];
    const [ea, eb] = [await link.events(a), await link.events(b)];
    await client.promptAsync(a, { beadId: 'par-a', input: { steps: 3, stepTime: '5ms' }, seed: 1 });
    await client.promptAsync(b, { beadId: 'par-b', input: { steps: 2, stepTime: '5ms' }, seed: 2 });
    const [sa, sb] = await Promise.all([untilEnd(ea), untilEnd(eb)]);
    expect(sa.filter((e) => e.type === 'checkpoint').map((e) => (e.properties as { beadId: string }).beadId)).toEqual(['par-a', 'par-a', 'par-a']);
    expect(sb.filter((e) => e.type === 'checkpoint').map((e) => (e.properties as { beadId: string }).beadId)).toEqual(['par-b', 'par-b']);
    ea.close();
    eb.close();
    expect(link.streamsOpened).toBe(1);
  });

  it('keeps only the newest finished sessions on the worker, never one made ahead', async () => {
    const link = workerLink(worker);
    const client = await link.client();
    const first = await link.session();
    const events = await link.events(first);
    await client.promptAsync(first, { beadId: 'old', input: { steps: 1 }, seed: 1 });
    await untilEnd(events);
    events.close();
    const ahead = await client.createSession(); // never prompted
    for (let i = 0; i < MAX_FINISHED_SESSIONS; i++) {
      const id = await link.session();
      const ev = await link.events(id);
      await client.promptAsync(id, { beadId: `fill-${i}`, input: { steps: 1 }, seed: i });
      await untilEnd(ev);
      ev.close();
    }
    await expect(client.getSession(first)).rejects.toMatchObject({ details: expect.objectContaining({ status: 404 }) });
    expect(await client.getSession(ahead)).toMatchObject({ id: ahead, status: 'idle' });
  });
});
