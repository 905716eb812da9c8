import { afterEach, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { RecordId, Surreal } from 'surrealdb';
import { sdkWebSocket } from './websocket.ts';
import { spawnSurrealServer } from './spawn.ts';
import { isProcessRunning as isRunning } from '../../../system/util/index.ts';

const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()!().catch(() => undefined);
});

async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'oya-surreal-kill-'));
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

async function client(url: string): Promise<Surreal> {
  const db = new Surreal({ websocketImpl: sdkWebSocket });
  cleanups.push(() => db.close());
  await db.connect(url, { reconnect: false });
  await db.use({ namespace: 'oya', database: 'kill' });
  return db;
}

describe('spawnSurrealServer (child process)', () => {
  it('keeps every committed record across kill -9 and a restart on the same path', async () => {
    const path = await tempDir();
    const first = await spawnSurrealServer({ path, implementation: 'embedded' });
    cleanups.push(() => first.destroy());
    expect(first.pid).not.toBe(process.pid);
    const db = await client(first.url);
    const committed: number[] = [];
    for (let i = 0; i < 200; i++) {
      await db.create(new RecordId('event', i)).content({ seq: i });
      committed.push(i);
    }
    // Writes still in flight at the kill may or may not land; every acknowledged one must.
    const inFlight = Array.from({ length: 20 }, (_, k) =>
      db
        .create(new RecordId('event', 200 + k))
        .content({ seq: 200 + k })
        .catch(() => null),
    );
    first.kill('SIGKILL');
    expect(await first.exited).toEqual({ code: null, signal: 'SIGKILL' });
    await Promise.all(inFlight);

    const second = await spawnSurrealServer({ path, implementation: 'embedded' });
    cleanups.push(() => second.destroy());
    const db2 = await client(second.url);
    const [seqs] = await db2.query<[number[]]>('SELECT VALUE seq FROM event ORDER BY seq');
    expect(seqs.slice(0, 200)).toEqual(committed);
    expect(seqs.length).toBeLessThanOrEqual(220);
  });

  it('stops with exit code 0 on SIGTERM and SIGINT', async () => {
    for (const signal of ['SIGTERM', 'SIGINT'] as const) {
      const srv = await spawnSurrealServer({ implementation: 'embedded' });
      cleanups.push(() => srv.destroy());
      await client(srv.url);
      srv.kill(signal);
      expect(await srv.exited).toEqual({ code: 0, signal: null });
    }
  });

  it('close() is graceful and idempotent; a second server on a locked path fails to start', async () => {
    const path = await tempDir();
    const srv = await spawnSurrealServer({ path, implementation: 'embedded' });
    cleanups.push(() => srv.destroy());
    const lines: string[] = [];
    await expect(spawnSurrealServer({ path, implementation: 'embedded', onOutput: (l) => lines.push(l) })).rejects.toMatchObject({
      code: 'HARN_SURREAL_SPAWN',
    });
    // surrealkv says "already locked", RocksDB (the default for a new path) "While lock file: …/LOCK: Resource temporarily unavailable".
    expect(lines.join('\n')).toMatch(/HARN_SURREAL_START .*(already locked|LOCK: Resource temporarily unavailable)/);
    await Promise.all([srv.close(), srv.close()]);
    expect((await srv.exited).code).toBe(0);
  });

  it('exits 2 on bad flags (oya surreal command)', async () => {
    const main = fileURLToPath(new URL('./main.ts', import.meta.url));
    const child = spawn(process.execPath, ['--import', import.meta.resolve('tsx'), main, '--bogus'], { stdio: ['ignore', 'ignore', 'pipe'] });
    cleanups.push(async () => child.kill('SIGKILL'));
    let stderr = '';
    child.stderr.on('data', (c: Buffer) => {
      stderr += c.toString();
    });
    const code = await new Promise((resolve) => child.once('exit', resolve));
    expect(code).toBe(2);
    expect(stderr).toMatch(/HARN_CLI_USAGE/);
  });

  it('refuses the binary implementation when no surreal binary is on PATH', async () => {
    const saved = process.env.PATH;
    process.env.PATH = '/nonexistent';
    cleanups.push(async () => {
      process.env.PATH = saved;
    });
    await expect(spawnSurrealServer({ implementation: 'binary' })).rejects.toMatchObject({ code: 'HARN_SURREAL_SPAWN' });
  });
});

describe('spawnSurrealServer when its parent dies', () => {
  it('stops by itself after the parent is SIGKILLed (no orphan server)', async () => {
    const fixture = fileURLToPath(new URL('./fixtures/parent-of-server.ts', import.meta.url));
    const parent = spawn(process.execPath, ['--import', 'tsx', fixture], { stdio: ['ignore', 'pipe', 'inherit'] });
    cleanups.push(async () => parent.kill('SIGKILL'));
    const line = await new Promise<string>((resolve, reject) => {
      let buf = '';
      parent.stdout.on('data', (chunk: Buffer) => {
        buf += chunk.toString();
        if (buf.includes('\n')) resolve(buf.split('\n')[0]!);
      });
      parent.once('exit', () => reject(new Error('parent exited before the server was up')));
    });
    const { serverPid } = JSON.parse(line) as { serverPid: number };
    cleanups.push(async () => {
      try {
        process.kill(serverPid, 'SIGKILL');
      } catch {
        // already gone
      }
    });
    parent.kill('SIGKILL');
    const deadline = Date.now() + 10_000;
    while (Date.now() < deadline && isRunning(serverPid)) await new Promise((r) => setTimeout(r, 100));
    expect(isRunning(serverPid)).toBe(false);
  }, 30_000);
});
