/**
 * A directory on a size-limited tmpfs, for real "disk full" faults: fill() writes a filler file
 * until the kernel answers ENOSPC, free() deletes it, close() unmounts and removes everything.
 *
 * As root the tmpfs is mounted in place (`mount -t tmpfs -o size=…`). Unprivileged, a holder
 * process is started in a new user + mount namespace (`unshare --user --map-root-user --mount`)
 * that mounts the tmpfs and sleeps; its mount is reached through `/proc/<pid>/root/…`, a path
 * every process of the same user can use. If neither works, start fails with
 * DiskUnavailableError saying why.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { constants as fsConstants } from 'node:fs';
import { mkdir, mkdtemp, open, rm, rmdir, statfs, unlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { hasCode } from '../../../system/errors.ts';
import { DiskFillError, DiskUnavailableError } from './errors.ts';

const run = promisify(execFile);
const FILLER = '.oya-disk-filler';

/** Options of startLimitedDisk. */
export interface LimitedDiskOptions {
  /** Size of the tmpfs, as mount(8) takes it. @default '8m' */
  size?: string;
  /** Mount point (created if missing; removed on close if created). @default a new dir under os.tmpdir() */
  dir?: string;
}

/** A mounted size-limited directory. */
export interface LimitedDisk {
  /** Where to put data (e.g. a SurrealKV directory below it). */
  readonly dir: string;
  /** 'mount' (root) or 'userns' (unprivileged holder process). */
  readonly method: 'mount' | 'userns';
  /** Writes a filler file until ENOSPC; returns the bytes it took. Idempotent while full. */
  fill(): Promise<number>;
  /** Deletes the filler file, returning the space. Idempotent. */
  free(): Promise<void>;
  /** Free and total bytes of the filesystem. */
  usage(): Promise<{ freeBytes: number; totalBytes: number }>;
  /** Unmounts and removes the mount point. Idempotent, safe after failures. */
  close(): Promise<void>;
  /** Same as close(): unmounting is already immediate (lazy unmount if busy). */
  destroy(): Promise<void>;
}

/** Mounts a size-limited tmpfs and returns its handle. */
export async function startLimitedDisk(options: LimitedDiskOptions = {}): Promise<LimitedDisk> {
  const size = options.size ?? '8m';
  if (!/^\d+[kmg%]?$/i.test(size)) throw new DiskUnavailableError(`bad tmpfs size "${size}"`, { size });
  const created = options.dir === undefined;
  const mountPoint = options.dir ?? (await mkdtemp(join(tmpdir(), 'oya-disk-')));
  if (!created) await mkdir(mountPoint, { recursive: true });

  const isRoot = process.getuid?.() === 0;
  try {
    if (isRoot) {
      await run('mount', ['-t', 'tmpfs', '-o', `size=${size},mode=0755`, 'oya-disk', mountPoint]);
      return makeHandle(
        mountPoint,
        'mount',
        async () => {
          await run('umount', [mountPoint]).catch(() => run('umount', ['-l', mountPoint]));
        },
        created ? mountPoint : undefined,
      );
    }
    const holder = await startNamespaceHolder(mountPoint, size);
    const viaProc = `/proc/${holder.pid}/root${mountPoint}`;
    return makeHandle(
      viaProc,
      'userns',
      async () => {
        holder.kill('SIGKILL'); // the mount dies with the namespace's last process
        await new Promise((resolve) => (holder.exitCode !== null ? resolve(null) : holder.once('exit', resolve)));
      },
      created ? mountPoint : undefined,
    );
  } catch (err) {
    if (created) await rmdir(mountPoint).catch(() => undefined);
    if (err instanceof DiskUnavailableError) throw err;
    const detail = (err as { stderr?: string }).stderr?.trim() || (err as Error).message;
    throw new DiskUnavailableError(`cannot mount a ${size} tmpfs on ${mountPoint}: ${detail}`, { size, mountPoint, root: isRoot });
  }
}

function startNamespaceHolder(mountPoint: string, size: string): Promise<ChildProcess> {
  return new Promise((resolve, reject) => {
    const script = `mount -t tmpfs -o size=${size} oya-disk "$1" && echo ready && exec sleep 2147483647`;
    const holder = spawn('unshare', ['--user', '--map-root-user', '--mount', 'sh', '-c', script, 'sh', mountPoint], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    holder.stderr.on('data', (c: Buffer) => {
      stderr += c.toString();
    });
    holder.stdout.on('data', (c: Buffer) => {
      if (c.toString().includes('ready')) resolve(holder);
    });
    holder.once('error', (err) => reject(new DiskUnavailableError(`not root, and unshare could not run: ${err.message}`)));
    holder.once('exit', (code) =>
      reject(
        new DiskUnavailableError(
          `not root, and no user namespace mount (unshare exit ${code}: ${stderr.trim()}); run as root or enable unprivileged user namespaces`,
        ),
      ),
    );
  });
}

function makeHandle(dir: string, method: 'mount' | 'userns', unmount: () => Promise<void>, removeAfter: string | undefined): LimitedDisk {
  const fillerPath = join(dir, FILLER);
  let closed: Promise<void> | undefined;
  const handle: LimitedDisk = {
    dir,
    method,
    async fill() {
      const file = await open(fillerPath, fsConstants.O_WRONLY | fsConstants.O_CREAT | fsConstants.O_APPEND);
      let written = 0;
      try {
        // Big chunks first, then page-sized ones, so the last free block is taken too.
        for (const chunkSize of [1 << 20, 1 << 12, 1 << 9]) {
          const chunk = Buffer.alloc(chunkSize, 0x5a);
          for (;;) {
            try {
              const { bytesWritten } = await file.write(chunk);
              written += bytesWritten;
              if (bytesWritten < chunkSize) break;
            } catch (err) {
              if ((err as NodeJS.ErrnoException).code === 'ENOSPC') break;
              throw new DiskFillError(`filling ${dir} failed: ${(err as Error).message}`, err);
            }
          }
        }
      } finally {
        await file.close();
      }
      return written;
    },
    async free() {
      await unlink(fillerPath).catch((err: unknown) => {
        if (!hasCode(err, 'ENOENT')) throw err;
      });
    },
    async usage() {
      const s = await statfs(dir);
      return { freeBytes: s.bavail * s.bsize, totalBytes: s.blocks * s.bsize };
    },
    close() {
      closed ??= (async () => {
        await handle.free().catch(() => undefined);
        await unmount();
        if (removeAfter) await rm(removeAfter, { recursive: true, force: true });
      })();
      return closed;
    },
    destroy: () => handle.close(),
  };
  return handle;
}
