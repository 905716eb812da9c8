import { afterEach, describe, expect, it } from 'vitest';
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { startLimitedDisk } from './limited-disk.ts';

// The fallback test runs this module as `nobody`; that needs the checkout to be readable by other
// users. A clone under a 0700 directory (e.g. `mktemp -d`) is not, and then the test cannot run.
const nobodyCanReadCheckout =
  spawnSync('setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', 'test', '-r', fileURLToPath(new URL('./limited-disk.ts', import.meta.url))])
    .status === 0;

const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()!().catch(() => undefined);
});

async function mounted(dir: string): Promise<boolean> {
  return (await readFile('/proc/mounts', 'utf8')).split('\n').some((line) => line.split(' ')[1] === dir);
}

describe('startLimitedDisk', () => {
  it('mounts a sized tmpfs, fills it to ENOSPC, frees it, and unmounts on close', async () => {
    const disk = await startLimitedDisk({ size: '4m' });
    cleanups.push(() => disk.close());
    expect(disk.method).toBe(process.getuid?.() === 0 ? 'mount' : 'userns');
    if (disk.method === 'mount') expect(await mounted(disk.dir)).toBe(true);
    expect((await disk.usage()).totalBytes).toBe(4 * 1024 * 1024);

    const taken = await disk.fill();
    expect(taken).toBeGreaterThan(3 * 1024 * 1024);
    expect((await disk.usage()).freeBytes).toBe(0);
    await expect(writeFile(join(disk.dir, 'one-more'), Buffer.alloc(8192))).rejects.toMatchObject({ code: 'ENOSPC' });
    expect(await disk.fill()).toBe(0); // already full

    await disk.free();
    await writeFile(join(disk.dir, 'fits-again'), Buffer.alloc(8192));
    expect((await disk.usage()).freeBytes).toBeGreaterThan(3 * 1024 * 1024);

    const dir = disk.dir;
    await Promise.all([disk.close(), disk.close()]);
    expect(await mounted(dir)).toBe(false);
    expect(existsSync(dir)).toBe(false);
  });

  it('mounts on a given directory and leaves the directory in place on close', async () => {
    const { mkdtemp, rm } = await import('node:fs/promises');
    const { tmpdir } = await import('node:os');
    const dir = await mkdtemp(join(tmpdir(), 'oya-disk-given-'));
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    const disk = await startLimitedDisk({ dir, size: '1m' });
    cleanups.push(() => disk.close());
    await writeFile(join(dir, 'data'), 'x');
    await disk.close();
    expect(existsSync(join(dir, 'data'))).toBe(false); // the file lived on the tmpfs
    expect(existsSync(dir)).toBe(true);
  });

  // As root, also prove the unprivileged fallback (user + mount namespace holder) in a child
  // process running as `nobody`.
  const fallback = 'falls back to a user-namespace mount when not root (needs root and a checkout readable by nobody)';
  it.skipIf(process.getuid?.() !== 0 || !nobodyCanReadCheckout)(fallback, async () => {
    const { execFile } = await import('node:child_process');
    const { fileURLToPath } = await import('node:url');
    const module = fileURLToPath(new URL('./limited-disk.ts', import.meta.url));
    const script = `
      const { startLimitedDisk } = await import(${JSON.stringify(module)});
      const { writeFile } = await import('node:fs/promises');
      const d = await startLimitedDisk({ size: '2m' });
      const out = { method: d.method, total: (await d.usage()).totalBytes };
      await d.fill();
      out.full = await writeFile(d.dir + '/x', Buffer.alloc(8192)).then(() => 'ok', (e) => e.code);
      await d.free();
      out.afterFree = await writeFile(d.dir + '/x', Buffer.alloc(8192)).then(() => 'ok', (e) => e.code);
      await d.close();
      console.log(JSON.stringify(out));`;
    const stdout = await new Promise<string>((resolve, reject) => {
      const child = execFile(
        'setpriv',
        ['--reuid=65534', '--regid=65534', '--clear-groups', process.execPath, '--import', import.meta.resolve('tsx'), '--input-type=module', '-e', script],
        { cwd: '/', timeout: 30_000 },
        (err, out, errOut) => (err ? reject(new Error(`${err.message}\n${errOut}`)) : resolve(out)),
      );
      cleanups.push(() => Promise.resolve(child.kill('SIGKILL')));
    });
    expect(JSON.parse(stdout.trim().split('\n').pop()!)).toEqual({ method: 'userns', total: 2 * 1024 * 1024, full: 'ENOSPC', afterFree: 'ok' });
  });

  it('rejects a malformed size with HARN_DISK_UNAVAILABLE', async () => {
    await expect(startLimitedDisk({ size: '8 megabytes' })).rejects.toMatchObject({ code: 'HARN_DISK_UNAVAILABLE' });
  });
});
