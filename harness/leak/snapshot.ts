/**
 * Heap snapshots of a separate Node process, streamed through its inspector to a file.
 *
 * `HeapProfiler.takeHeapSnapshot` sends the snapshot as `addHeapSnapshotChunk` events and answers
 * the call only after the last chunk, so "the file is complete" is exact — unlike
 * `--heapsnapshot-signal`, where the target writes the file itself and the harness must guess when
 * it is finished. V8 runs a full GC before it takes the snapshot, so what is in it is live.
 */
import { createWriteStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import { once } from 'node:events';
import { LeakSnapshotError } from './errors.ts';
import type { InspectorSession } from './inspector.ts';

/** A snapshot on disk, labelled with when it was taken. */
export interface HeapSnapshotFile {
  /** e.g. `baseline`, `target`, `final`, `sample-7`. */
  label: string;
  path: string;
  bytes: number;
  /** Wall-clock time (ms since epoch) when the snapshot finished. */
  takenAt: number;
}

/**
 * Writes a heap snapshot of the session's process to `path`.
 * @param timeoutMs budget for the whole snapshot; a 100 MB heap takes seconds on a busy 2-core box.
 */
export async function takeHeapSnapshot(session: InspectorSession, path: string, label: string, timeoutMs = 120_000): Promise<HeapSnapshotFile> {
  const out = createWriteStream(path);
  let bytes = 0;
  let writeFailed: Error | undefined;
  out.on('error', (err) => (writeFailed = err));
  const unsubscribe = session.on('HeapProfiler.addHeapSnapshotChunk', (params) => {
    const chunk = typeof params.chunk === 'string' ? params.chunk : '';
    bytes += Buffer.byteLength(chunk);
    // Backpressure is not applied: the inspector pushes chunks regardless, and Node buffers them.
    out.write(chunk);
  });
  try {
    await session.call('HeapProfiler.takeHeapSnapshot', { reportProgress: false, captureNumericValue: false }, timeoutMs);
  } catch (err) {
    unsubscribe();
    out.destroy();
    await rm(path, { force: true });
    throw new LeakSnapshotError(`heap snapshot '${label}' failed`, { path, label }, err);
  }
  unsubscribe();
  out.end();
  await once(out, 'finish').catch(() => undefined);
  if (writeFailed !== undefined || bytes === 0) {
    await rm(path, { force: true });
    throw new LeakSnapshotError(`heap snapshot '${label}' was not written (${writeFailed?.message ?? 'no chunks received'})`, { path, label }, writeFailed);
  }
  return { label, path, bytes, takenAt: Date.now() };
}

/** Reads the target's V8 heap, optionally after a full GC (so a sawtooth becomes the live-set line). */
export async function readHeapUsed(session: InspectorSession, collectGarbageFirst: boolean): Promise<{ usedSize: number; totalSize: number }> {
  if (collectGarbageFirst) await session.call('HeapProfiler.collectGarbage');
  return session.call<{ usedSize: number; totalSize: number }>('Runtime.getHeapUsage');
}
