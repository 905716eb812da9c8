/**
 * A spawned embedded server whose engine cannot go on in its process (a datastore poisoned by a
 * disk-full, or the native binding's abort) is started again by its handle on the same path and
 * port, and nothing committed is lost; a stop the owner asked for is never undone.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RecordId, Surreal } from 'surrealdb';
import { sdkWebSocket } from './websocket.ts';
import { startLimitedDisk } from '../disk/limited-disk.ts';
import { spawnSurrealServer, type SpawnedSurrealServer } from './spawn.ts';

const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()!().catch(() => undefined);
});

/** SurrealDB's answer to a transaction that lost a race with a concurrent one; nothing was written. */
const RETRYABLE_CONFLICT = /This transaction can be retried/;

/**
 * Runs `attempt` again (up to 10 times, 20..640 ms apart) while SurrealDB answers a retryable
 * transaction conflict, as a client must: the first `use` of a fresh namespace/database defines
 * both, so several connections doing it at once conflict, and all but one are told to retry.
 */
async function retryingConflicts<T>(attempt: () => Promise<T>): Promise<T> {
  for (let tries = 1; ; tries++) {
    try {
      return await attempt();
    } catch (err) {
      if (tries >= 10 || !RETRYABLE_CONFLICT.test((err as Error).message)) throw err;
      await new Promise((resolve) => setTimeout(resolve, Math.min(640, 20 * 2 ** (tries - 1)) * (0.5 + Math.random())));
    }
  }
}

async function client(url: string): Promise<Surreal> {
  const db = new Surreal({ websocketImpl: sdkWebSocket });
  cleanups.push(() => db.close());
  await db.connect(url, { reconnect: false });
  await retryingConflicts(() => db.use({ namespace: 'oya', database: 'restart' }));
  return db;
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    promise.finally(() => clearTimeout(timer)),
    new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms))),
  ]);
}

/** Writes with fresh connections until one write is acknowledged; returns how long it took. */
async function writeUntilAccepted(srv: SpawnedSurrealServer, id: string, boundMs: number): Promise<number> {
  const started = Date.now();
  for (;;) {
    try {
      const db = await withTimeout(client(srv.url), 3000);
      await withTimeout(db.create(new RecordId('event', id)).content({ key: id }), 3000);
      return Date.now() - started;
    } catch (err) {
      if (Date.now() - started > boundMs) throw new Error(`no write accepted within ${boundMs} ms: ${(err as Error).message}`);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
}

describe('spawned embedded server restarts when its engine cannot go on', () => {
  it('comes back on the same port with every committed record after the engine aborts (SIGABRT)', async () => {
    const path = await mkdtemp(join(tmpdir(), 'oya-surreal-restart-'));
    cleanups.push(() => rm(path, { recursive: true, force: true }));
    const srv = await spawnSurrealServer({ path, implementation: 'embedded' });
    cleanups.push(() => srv.destroy());
    const firstPid = srv.pid;
    const db = await client(srv.url);
    for (let i = 0; i < 50; i++) await db.create(new RecordId('event', `a${i}`)).content({ key: `a${i}` });

    let exitedEarly = false;
    void srv.exited.then(() => (exitedEarly = true));
    process.kill(firstPid, 'SIGABRT'); // not through the handle: the process dies on its own

    expect(await writeUntilAccepted(srv, 'after', 30_000)).toBeLessThan(30_000);
    expect(srv.pid).not.toBe(firstPid);
    expect(exitedEarly).toBe(false);
    const db2 = await client(srv.url);
    const [ids] = await db2.query<[string[]]>('SELECT VALUE key FROM event');
    for (let i = 0; i < 50; i++) expect(ids).toContain(`a${i}`);
    expect(ids).toContain('after');

    // A stop the owner asks for is final: no restart after it.
    srv.kill('SIGKILL');
    expect(await srv.exited).toEqual({ code: null, signal: 'SIGKILL' });
  });

  it('accepts writes again after a disk-full under concurrent writers, and loses nothing committed', async () => {
    const disk = await startLimitedDisk({ size: '64m' });
    cleanups.push(() => disk.close());
    const srv = await spawnSurrealServer({ path: `${disk.dir}/db`, implementation: 'embedded' });
    cleanups.push(() => srv.destroy());
    const writers = await Promise.all([0, 1, 2].map(() => client(srv.url)));
    const committed = new Set<string>();
    let diskFullSeen = false;
    let stop = false;
    // Several connections committing at once when ENOSPC hits: the flow that leaves the engine
    // holding its LOCK forever after free() (see engine-host.ts POISONED_LOCK_TIMEOUT_MS).
    const loops = writers.map(async (db, w) => {
      for (let seq = 0; !stop; seq++) {
        const id = `w${w}-${seq}`;
        try {
          await withTimeout(db.create(new RecordId('event', id)).content({ key: id, pad: 'x'.repeat(2000) }), 3000);
          committed.add(id);
        } catch (err) {
          // Not committed (disk full, a write conflict on the table's first definition, a timeout):
          // not counted, and this writer moves on to its next id.
          if (/No space left on device/.test((err as Error).message)) diskFullSeen = true;
          await new Promise((resolve) => setTimeout(resolve, 50));
        }
      }
    });
    cleanups.push(async () => {
      stop = true;
      await Promise.race([Promise.all(loops), new Promise((resolve) => setTimeout(resolve, 4000))]);
    });
    await new Promise((resolve) => setTimeout(resolve, 500));
    await disk.fill();
    const fullSince = Date.now();
    // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- the write loops set it while this loop sleeps
    while (!diskFullSeen && Date.now() - fullSince < 10_000) await new Promise((resolve) => setTimeout(resolve, 100));
    expect(diskFullSeen).toBe(true);
    await disk.free();

    const tookMs = await writeUntilAccepted(srv, 'after-free', 30_000);
    process.stderr.write(`disk-full recovery: first write accepted ${tookMs} ms after free()\n`);
    stop = true;
    await Promise.race([Promise.all(loops), new Promise((resolve) => setTimeout(resolve, 4000))]);

    const reader = await client(srv.url);
    const [ids] = await retryingConflicts(() => reader.query<[string[]]>('SELECT VALUE key FROM event'));
    const stored = new Set(ids);
    for (const id of committed) expect(stored.has(id), `committed ${id} is missing`).toBe(true);
    expect(stored.has('after-free')).toBe(true);
  });
});
