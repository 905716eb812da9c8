import { describe, expect, it, onTestFinished } from 'vitest';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  boundRocksDbBlockCache,
  embeddedDir,
  embeddedUrlFor,
  isSurrealKvDir,
  ROCKSDB_BLOCK_CACHE_BYTES,
  ROCKSDB_BULK_BATCH,
  warnSurrealKvOnce,
} from './engine.ts';
import { resolveEventStoreOptions } from './options.ts';
import { MAX_BULK_BATCH } from './schema.ts';
import { HighWaterMark, readMark } from './mark.ts';
import { DbConnection } from './connection.ts';
import { checkLog } from './integrity.ts';

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'oya-engine-'));
  onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

describe('engine choice (engine.ts)', () => {
  it('a new or RocksDB directory opens as rocksdb with bulk batches of 64; a surrealkv one stays surrealkv with 512', () => {
    const root = tempDir();
    const fresh = join(root, 'fresh');
    const resolved = resolveEventStoreOptions({ dataDir: fresh });
    expect(resolved).toMatchObject({ url: `rocksdb://${fresh}`, maxBulkBatch: ROCKSDB_BULK_BATCH, markPath: `${fresh}.mark` });
    const rocks = join(root, 'rocks');
    mkdirSync(rocks);
    for (const name of ['CURRENT', 'MANIFEST-000014', 'IDENTITY', 'LOCK', '000008.sst']) writeFileSync(join(rocks, name), '');
    expect(isSurrealKvDir(rocks)).toBe(false);
    for (const entry of ['manifest', 'sstables', 'wal', 'vlog']) {
      const kv = join(root, `kv-${entry}`);
      mkdirSync(join(kv, entry), { recursive: true });
      expect(embeddedUrlFor(kv)).toBe(`surrealkv://${kv}`);
      expect(resolveEventStoreOptions({ dataDir: kv })).toMatchObject({ maxBulkBatch: MAX_BULK_BATCH, markPath: `${kv}.mark` });
    }
  });

  it('an explicit url keeps its engine; mem:// and remote stores have no mark; a remote one commits rocksdb-sized batches', () => {
    expect(resolveEventStoreOptions({ url: 'surrealkv:///x/db?sync=never' })).toMatchObject({ maxBulkBatch: MAX_BULK_BATCH, markPath: '/x/db.mark' });
    expect(resolveEventStoreOptions({ url: 'rocksdb:///x/db' })).toMatchObject({ maxBulkBatch: ROCKSDB_BULK_BATCH, markPath: '/x/db.mark' });
    expect(resolveEventStoreOptions({ url: 'mem://' })).toMatchObject({ markPath: null });
    expect(resolveEventStoreOptions({ url: 'ws://h:1/rpc', outboxPath: '/x/o' })).toMatchObject({ markPath: null, maxBulkBatch: ROCKSDB_BULK_BATCH });
    expect(embeddedDir('ws://h:1/rpc')).toBeUndefined();
  });

  it('bounds the RocksDB block cache unless the user set it', () => {
    const env: NodeJS.ProcessEnv = {};
    boundRocksDbBlockCache(env);
    expect(env.SURREAL_ROCKSDB_BLOCK_CACHE_SIZE).toBe(String(ROCKSDB_BLOCK_CACHE_BYTES));
    const mine: NodeJS.ProcessEnv = { SURREAL_ROCKSDB_BLOCK_CACHE_SIZE: '1073741824' };
    boundRocksDbBlockCache(mine);
    expect(mine.SURREAL_ROCKSDB_BLOCK_CACHE_SIZE).toBe('1073741824');
  });

  it('warns once per process, for surrealkv only, naming the bug', () => {
    const seen: string[] = [];
    warnSurrealKvOnce('rocksdb:///a', (m) => seen.push(m));
    expect(seen).toEqual([]);
    warnSurrealKvOnce('surrealkv:///a', (m) => seen.push(m));
    warnSurrealKvOnce('surrealkv:///b', (m) => seen.push(m));
    expect(seen).toHaveLength(1);
    expect(seen[0]).toMatch(/PR #386.*surrealdb\.js #592/);
  });
});

describe('high-water mark (mark.ts)', () => {
  it('records only higher positions, fixed width in place, read back after reopen', async () => {
    const path = join(tempDir(), 'db.mark');
    expect(readMark(path)).toBeUndefined();
    const mark = HighWaterMark.open(path);
    expect(mark.value).toBe(0);
    mark.record(1_000_000);
    mark.record(7);
    mark.record(1_000_064);
    await mark.sync();
    await mark.close();
    expect(readFileSync(path, 'utf8')).toBe(`${'1000064'.padStart(20, ' ')}\n`);
    const again = HighWaterMark.open(path);
    expect(again.value).toBe(1_000_064);
    await again.close();
    await again.close();
  });

  it('no path: no file, still tracks the value', async () => {
    const mark = HighWaterMark.open(null);
    mark.record(5);
    expect(mark.value).toBe(5);
    await mark.close();
  });
});

describe('log check (integrity.ts) on mem://', () => {
  async function memLog(positions: number[], head: number | undefined): Promise<DbConnection> {
    const connection = await DbConnection.open({ url: 'mem://', namespace: 'oya', database: 'oya', auth: undefined, timeoutMs: 5000, connectTimeoutMs: 5000 });
    onTestFinished(() => connection.close());
    await connection.run('seed', (db) =>
      db
        .query('FOR $p IN $positions { CREATE event SET position = $p }; IF $head != NONE { UPSERT log_head:global SET position = $head };', {
          positions,
          head,
        })
        .collect(),
    );
    return connection;
  }
  const opts = { mark: 0, markPath: '/x.mark', positionGap: false, timeoutMs: 5000 };

  it('passes an empty log and a whole one', async () => {
    await expect(checkLog(await memLog([], undefined), opts)).resolves.toMatchObject({ head: 0, count: 0 });
    await expect(checkLog(await memLog([1, 2, 3], 3), { ...opts, mark: 3 })).resolves.toMatchObject({ head: 3, count: 3, mark: 3 });
  });

  it('fails a missing row, a missing head row, a row above the head, rows without a head and a mark above the head', async () => {
    const lost = { code: 'ORCH_EVENT_LOG_LOST', retryable: false };
    await expect(checkLog(await memLog([1, 3], 3), opts)).rejects.toMatchObject({ ...lost, details: { expected: 3, found: 2 } });
    await expect(checkLog(await memLog([1, 2, 4], 3), opts)).rejects.toMatchObject({ ...lost, details: { expected: 3, found: 4 } });
    await expect(checkLog(await memLog([1, 2], undefined), opts)).rejects.toMatchObject({ ...lost, details: { expected: 0, found: 2 } });
    await expect(checkLog(await memLog([1, 2, 3], 3), { ...opts, mark: 4 })).rejects.toMatchObject({ ...lost, details: { expected: 4, found: 3 } });
  });

  it('the TEST-ONLY position gap: one number fewer than the head is the defect, not a loss', async () => {
    await expect(checkLog(await memLog([1, 3], 3), { ...opts, positionGap: true })).resolves.toMatchObject({ head: 3, count: 2 });
  });
});

describe('the public face and the native binding', () => {
  it('importing system/events/index.ts does not load the native engine (a host that loads it itself picks its tokio worker count first)', async () => {
    const { execFileSync } = await import('node:child_process');
    const index = new URL('./index.ts', import.meta.url).href;
    const script = `import { readFileSync } from 'node:fs';
await import(${JSON.stringify(index)});
const mapped = () => readFileSync('/proc/self/maps', 'utf8').includes('surrealdb-node');
const before = mapped();
await import('@surrealdb/node');
console.log(JSON.stringify({ before, after: mapped() }));`;
    const out = execFileSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: process.cwd(), encoding: 'utf8' });
    // `after` proves the probe sees the binding when it is loaded (the test cannot pass vacuously).
    expect(JSON.parse(out.trim().split('\n').pop()!)).toEqual({ before: false, after: true });
  });
});
