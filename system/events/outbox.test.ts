import { describe, expect, it, onTestFinished } from 'vitest';
import { mkdtemp, readFile, rm, writeFile, appendFile } from 'node:fs/promises';
import { createServer, type Socket, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Outbox } from './outbox.ts';
import { openEventStore, type PendingEvent } from './index.ts';

async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'oya-outbox-'));
  onTestFinished(() => rm(dir, { recursive: true, force: true, maxRetries: 10, retryDelay: 100 }));
  return dir;
}

const entry = (key: string, stream = 'bead:o'): PendingEvent => ({
  stream,
  type: 'BeadQueued',
  data: { n: key },
  idempotencyKey: key,
  at: '2026-01-01T00:00:00.000Z',
});
/** The key of one outbox line. */
const keyOf = (line: string): string => (JSON.parse(line) as PendingEvent).idempotencyKey;

/** A port nothing listens on: bind, note it, close. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** A TCP server that accepts connections and never answers a byte (a half-open peer). */
async function silentServer(): Promise<number> {
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on('error', () => {});
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  onTestFinished(async () => {
    for (const socket of sockets) socket.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });
  return (server.address() as AddressInfo).port;
}

describe('Outbox file', () => {
  it('keeps entries across reopen, in order, and removes only what it is told', async () => {
    const path = join(await tempDir(), 'sub', 'outbox.jsonl');
    const first = await Outbox.open(path);
    for (const key of ['a', 'b', 'c']) await first.add(entry(key));
    await first.close();
    const second = await Outbox.open(path);
    onTestFinished(() => second.close());
    expect(second.entries().map((e) => e.idempotencyKey)).toEqual(['a', 'b', 'c']);
    await second.removeFirst(2);
    await second.add(entry('d'));
    const lines = (await readFile(path, 'utf8')).trim().split('\n').map(keyOf);
    expect(lines).toEqual(['c', 'd']);
  });

  it('cuts a torn last line (a write the crash interrupted, never acknowledged) and appends cleanly after it', async () => {
    const path = join(await tempDir(), 'outbox.jsonl');
    const first = await Outbox.open(path);
    await first.add(entry('a'));
    await first.close();
    await appendFile(path, '{"v":1,"stream":"bead:o","ty');
    const second = await Outbox.open(path);
    onTestFinished(() => second.close());
    expect(second.entries().map((e) => e.idempotencyKey)).toEqual(['a']);
    await second.add(entry('b'));
    const lines = (await readFile(path, 'utf8')).split('\n');
    expect(lines.filter(Boolean).map(keyOf)).toEqual(['a', 'b']);
  });

  it('refuses a bad line in the middle (ORCH_OUTBOX_CORRUPT) rather than skipping an acknowledged event', async () => {
    const path = join(await tempDir(), 'outbox.jsonl');
    await writeFile(path, `${JSON.stringify({ v: 1, ...entry('a') })}\nnot json\n${JSON.stringify({ v: 1, ...entry('b') })}\n`);
    await expect(Outbox.open(path)).rejects.toMatchObject({ code: 'ORCH_OUTBOX_CORRUPT', details: { line: 2 } });
  });
});

describe('appends while the database is unreachable', () => {
  it("go to the fsync'd outbox when the server port is closed, and flush in order, exactly once, into the DB", async () => {
    const dir = await tempDir();
    const outboxPath = join(dir, 'outbox.jsonl');
    const down = await openEventStore({ url: `ws://127.0.0.1:${await closedPort()}/rpc`, outboxPath, connectTimeoutMs: 300, pingIntervalMs: 60_000 });
    onTestFinished(() => down.destroy());
    expect(down.health()).toMatchObject({ connection: 'down', outboxSize: 0 });

    const submitted = await down.append('bead:o', { type: 'BeadSubmitted', data: { beadId: 'o', priority: 0, maxAttempts: 1 } }, { idempotencyKey: 'o-1' });
    expect(submitted.status).toBe('outboxed');
    await down.saveCheckpoint('o', { step: 0, state: { done: ['x'] } });
    await down.append('bead:p', { type: 'BeadQueued', data: {} }, { idempotencyKey: 'p-1' });
    // A retry while outboxed returns the original pending event, not a second line.
    const retried = await down.append('bead:o', { type: 'BeadSubmitted', data: { beadId: 'o', priority: 4, maxAttempts: 1 } }, { idempotencyKey: 'o-1' });
    expect(retried).toEqual(submitted);
    expect(await down.loadCheckpoint('o')).toMatchObject({ step: 0, source: 'outbox', state: { done: ['x'] } });
    const onDisk = (await readFile(outboxPath, 'utf8')).trim().split('\n').map(keyOf);
    expect(onDisk).toEqual(['o-1', 'checkpoint:o:0', 'p-1']);
    await expect(down.read('bead:o')).rejects.toMatchObject({ code: 'ORCH_DB_UNAVAILABLE' });
    await down.close();

    // The DB is back (here: a fresh engine reading the same outbox): the flush keeps order and keys.
    const up = await openEventStore({ url: 'mem://', outboxPath, pingIntervalMs: 50 });
    onTestFinished(() => up.close());
    await expect.poll(() => up.health().outboxSize, { timeout: 5_000 }).toBe(0);
    const o = await up.read('bead:o');
    expect(o.map((e) => [e.seq, e.idempotencyKey])).toEqual([
      [1, 'o-1'],
      [2, 'checkpoint:o:0'],
    ]);
    expect(o[0]!.at).toBe(submitted.status === 'outboxed' ? submitted.pending.at : '');
    expect((await up.readAll()).events.map((e) => e.idempotencyKey)).toEqual(['o-1', 'checkpoint:o:0', 'p-1']);
    expect(await readFile(outboxPath, 'utf8')).toBe('');
    expect(await up.flushOutbox()).toEqual({ flushed: 0, remaining: 0 });
  });

  it('go to the outbox within the connect timeout when the server accepts TCP but never answers (half-open)', async () => {
    const dir = await tempDir();
    const port = await silentServer();
    const started = performance.now();
    const store = await openEventStore({
      url: `ws://127.0.0.1:${port}/rpc`,
      outboxPath: join(dir, 'outbox.jsonl'),
      connectTimeoutMs: 400,
      timeoutMs: 400,
      pingIntervalMs: 200,
    });
    onTestFinished(() => store.destroy());
    expect(store.health().connection).toBe('down');
    const result = await store.append('bead:h', { type: 'BeadQueued', data: {} }, { idempotencyKey: 'h-1' });
    expect(result.status).toBe('outboxed');
    // Generous bound for a shared 2-core machine; the point is "bounded", not "fast".
    expect(performance.now() - started).toBeLessThan(3_000);
    // The watchdog keeps retrying (each attempt bounded by connectTimeoutMs) without ever hanging close().
    await new Promise((resolve) => setTimeout(resolve, 700));
    const closing = performance.now();
    await store.close();
    expect(performance.now() - closing).toBeLessThan(2_000);
  });
});
