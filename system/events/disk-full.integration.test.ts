/**
 * The embedded store (rocksdb, the default) on a really full disk (a tmpfs, harness/env/disk):
 * RocksDB stops writing after a failed WAL append and cannot be reopened in the same process
 * (README.md "Disk full"). What a user gets: a clear error with a stable code, nothing
 * acknowledged lost, appends taken (outboxed) again once space is back, and the one restart that
 * commits them made explicit (ORCH_DB_ENGINE_STOPPED in health and on reads).
 */
import { fork, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { startLimitedDisk } from '../../harness/env/disk/limited-disk.ts';

const FIXTURE = fileURLToPath(new URL('./fixtures/disk-full-store.ts', import.meta.url));

const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()!().catch(() => undefined);
});

interface Answer {
  key: string;
  status?: 'committed' | 'outboxed';
  code?: string;
  read: string;
  health: { connection: string; outboxSize: number; stopped?: { code: string; message: string } };
}

describe('the embedded store on a full disk (rocksdb)', () => {
  it('refuses with stable codes while full, outboxes once space is back, says a restart is needed, and the restart commits everything', async () => {
    const disk = await startLimitedDisk({ size: '16m' });
    cleanups.push(() => disk.close());
    const dataDir = `${disk.dir}/db`;
    const child = fork(FIXTURE, ['serve', dataDir], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'ignore', 'pipe', 'ipc'] });
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    cleanups.push(async () => {
      child.kill('SIGKILL');
      await exited;
    });
    const messages: Array<Answer | { ready: true }> = [];
    const waiters: Array<() => void> = [];
    child.on('message', (m: Answer) => {
      messages.push(m);
      waiters.shift()?.();
    });
    const next = async (): Promise<Answer> => {
      if (messages.length === 0) await new Promise<void>((resolve) => waiters.push(resolve));
      return messages.shift() as Answer;
    };
    const append = (): Promise<Answer> => {
      child.send('append');
      return next();
    };
    await next(); // ready: 20 events committed

    await disk.fill();
    const acknowledged = Array.from({ length: 20 }, (_, i) => `df-${i}`);
    // The first appends may still fit in the WAL's partly used last page; the disk is full soon after.
    let refused: Answer | undefined;
    for (let k = 0; k < 50 && refused === undefined; k++) {
      const a = await append();
      if (a.status === 'committed') acknowledged.push(a.key);
      else refused = a;
    }
    const whileFull = [refused!, await append(), await append()];
    // The engine's ENOSPC stops it; the outbox on the same full disk cannot take the event either:
    // the append is refused (never acknowledged), with the outbox's stable code.
    for (const a of whileFull) {
      expect(a.status).toBeUndefined();
      expect(a.code).toBe('ORCH_OUTBOX_WRITE_FAILED');
      expect(a.read).toBe('ORCH_DB_ENGINE_STOPPED');
      expect(a.health).toMatchObject({ connection: 'down', outboxSize: 0, stopped: { code: 'ORCH_DB_ENGINE_STOPPED' } });
    }
    expect(whileFull[0]!.health.stopped!.message).toMatch(/stopped writing after a disk-full .*No space left on device.*until the process restarts/);

    await disk.free();
    await new Promise((resolve) => setTimeout(resolve, 1000)); // several watchdog ticks (200 ms)
    const afterFree: Answer[] = [];
    for (let k = 0; k < 3; k++) afterFree.push(await append());
    // Space is back: appends are acknowledged again (durably outboxed), but the engine stays
    // stopped in this process, and says so: nothing reaches the DB until the restart.
    for (const [k, a] of afterFree.entries()) {
      expect(a.status).toBe('outboxed');
      expect(a.read).toBe('ORCH_DB_ENGINE_STOPPED');
      expect(a.health).toMatchObject({ connection: 'down', outboxSize: k + 1, stopped: { code: 'ORCH_DB_ENGINE_STOPPED' } });
    }
    child.send('close');
    expect(await exited).toBe(0);

    // The restart: a new process opens the directory, the outbox flushes in order, nothing doubled.
    const reopen = spawn(process.execPath, ['--import', 'tsx', FIXTURE, 'reopen', dataDir], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    reopen.stdout.on('data', (d: Buffer) => (out += d.toString()));
    let err = '';
    reopen.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const code = await new Promise<number | null>((resolve) => reopen.once('exit', resolve));
    expect(code, err).toBe(0);
    const reopened = JSON.parse(out.trim()) as { outboxSize: number; keys: string[] };
    expect(reopened).toEqual({ outboxSize: 0, keys: [...acknowledged, ...afterFree.map((a) => a.key)] });
  });
});
