import { afterEach, describe, expect, it } from 'vitest';
import { request } from 'undici';
import { RecordId, Surreal } from 'surrealdb';
import { startLimitedDisk } from './limited-disk.ts';
import { spawnSurrealServer, type SpawnedSurrealServer } from '../surreal/spawn.ts';
import { classifySurrealError, DbDiskFullError } from '../surreal/errors.ts';
import { sdkWebSocket } from '../surreal/websocket.ts';

const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()!().catch(() => undefined);
});

const WRITE_TIMEOUT_MS = 5000;
const PAD = 'x'.repeat(2000);

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout;
  return Promise.race([
    promise.finally(() => clearTimeout(timer)),
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
    }),
  ]);
}

async function client(url: string): Promise<Surreal> {
  const db = new Surreal({ websocketImpl: sdkWebSocket });
  cleanups.push(() => db.close());
  await db.connect(url, { reconnect: false });
  await db.use({ namespace: 'oya', database: 'diskfull' });
  return db;
}

async function spawnOn(path: string): Promise<SpawnedSurrealServer> {
  const srv = await spawnSurrealServer({ path, implementation: 'embedded' });
  cleanups.push(() => srv.destroy());
  return srv;
}

describe('embedded SurrealDB on a full disk', () => {
  it('answers writes with a typed disk-full error, recovers when space returns, and loses nothing committed', async () => {
    const disk = await startLimitedDisk({ size: '8m' });
    cleanups.push(() => disk.close());
    const path = `${disk.dir}/db`;
    const srv = await spawnOn(path);
    const db = await client(srv.url);

    const committed = new Set<number>();
    const write = (seq: number) => withTimeout(db.create(new RecordId('event', seq)).content({ seq, pad: PAD }), WRITE_TIMEOUT_MS);
    let seq = 0;
    for (; seq < 50; seq++) {
      await write(seq);
      committed.add(seq);
    }

    await disk.fill();
    let diskFull: unknown;
    // The first writes may still fit in the WAL's last partly used page; the disk is full soon after.
    for (let attempt = 0; attempt < 50 && diskFull === undefined; attempt++, seq++) {
      try {
        await write(seq);
        committed.add(seq);
      } catch (err) {
        diskFull = classifySurrealError(err);
      }
    }
    expect(diskFull).toBeInstanceOf(DbDiskFullError);
    expect(diskFull).toMatchObject({ code: 'HARN_DB_DISK_FULL', retryable: true });
    // Still full: further writes fail fast with the same typed error, and the process is alive.
    const again = await write(seq++).then(
      () => 'ok',
      (err: unknown) => classifySurrealError(err),
    );
    expect(again).toBeInstanceOf(DbDiskFullError);
    const health = await request(`http://127.0.0.1:${srv.port}/health`);
    expect(health.statusCode).toBe(200);
    await health.body.dump();

    await disk.free();
    // The server reopens its datastore once space is back; the same connection keeps its ns/db.
    const recoveredAt = Date.now();
    for (;;) {
      try {
        await write(seq);
        committed.add(seq++);
        break;
      } catch (err) {
        expect(classifySurrealError(err)).toBeInstanceOf(DbDiskFullError);
        expect(Date.now() - recoveredAt).toBeLessThan(15_000);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }
    for (let k = 0; k < 10; k++, seq++) {
      await write(seq);
      committed.add(seq);
    }
    const [[ns, dbName]] = await db.query<[[string, string]]>('RETURN [session::ns(), session::db()]');
    expect([ns, dbName]).toEqual(['oya', 'diskfull']);

    await srv.close();
    expect((await srv.exited).code).toBe(0);
    const restarted = await spawnOn(path);
    const db2 = await client(restarted.url);
    const [rows] = await db2.query<[Array<{ seq: number; pad: string }>]>('SELECT seq, pad FROM event ORDER BY seq');
    const stored = rows.map((r) => r.seq);
    for (const s of committed) expect(stored).toContain(s);
    // Nothing beyond what was attempted, and every stored record is whole.
    expect(stored.every((s) => s < seq)).toBe(true);
    expect(rows.every((r) => r.pad === PAD)).toBe(true);
  });
});
