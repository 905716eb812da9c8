/**
 * Real processes, real SIGKILL, real sockets. Runs in the `integration` lane (one file at a time).
 * The remote tests need harness/env/surreal/server.ts (the embedded SurrealDB server) and are
 * skipped when it is absent.
 */
import { describe, expect, it, onTestFinished } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { copyFile, mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer, connect, type AddressInfo, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openEventStore, type EventRecord } from './index.ts';

const here = fileURLToPath(new URL('.', import.meta.url));
const serverModule = join(here, '../../harness/env/surreal/server.ts');

async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'oya-events-int-'));
  // The embedded engine may still be writing its manifest while the store closes (it never fully
  // releases a surrealkv directory in-process), so removal retries instead of failing on ENOTEMPTY.
  onTestFinished(() => rm(dir, { recursive: true, force: true, maxRetries: 10, retryDelay: 100 }));
  return dir;
}

/** Short timeouts for a store behind the relay, so an outage shows within a second. */
const RELAY_TIMEOUTS = { timeoutMs: 500, connectTimeoutMs: 500, pingIntervalMs: 200, pingTimeoutMs: 500 };

async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** Spawns a fixture with tsx; killed (SIGKILL) when the test ends, whatever happens. */
function spawnFixture(name: string, args: string[]): { child: ChildProcess; lines: string[]; exited: Promise<number | null> } {
  const child = spawn(process.execPath, ['--import', 'tsx', join(here, 'fixtures', name), ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  onTestFinished(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });
  const lines: string[] = [];
  let buffer = '';
  child.stdout.on('data', (chunk: Buffer) => {
    buffer += chunk.toString();
    const parts = buffer.split('\n');
    buffer = parts.pop()!;
    lines.push(...parts);
  });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  void exited.then((code) => {
    if (code !== 0 && code !== null) console.error(`${name} exited ${code}: ${stderr}`);
  });
  return { child, lines, exited };
}

/** Checks the DB holds every acknowledged key exactly once, streams gapless, each stream in ack order. */
function checkExactlyOnce(events: EventRecord[], acked: string[]): void {
  const keys = events.map((e) => e.idempotencyKey);
  expect(new Set(keys).size).toBe(keys.length);
  for (const key of acked) expect(keys).toContain(key);
  const byStream = new Map<string, EventRecord[]>();
  for (const event of events) byStream.set(event.stream, [...(byStream.get(event.stream) ?? []), event]);
  for (const [stream, streamEvents] of byStream) {
    expect(streamEvents.map((e) => e.seq)).toEqual(streamEvents.map((_, i) => i + 1));
    const ackedHere = acked.filter((k) => streamEvents.some((e) => e.idempotencyKey === k));
    expect(
      streamEvents.map((e) => e.idempotencyKey).filter((k) => ackedHere.includes(k)),
      stream,
    ).toEqual(ackedHere);
  }
}

async function readEverything(store: Awaited<ReturnType<typeof openEventStore>>): Promise<EventRecord[]> {
  const events: EventRecord[] = [];
  let cursor: string | undefined;
  for (;;) {
    const page = await store.readAll({ afterCursor: cursor, limit: 500 });
    if (page.events.length === 0) return events;
    events.push(...page.events);
    cursor = page.nextCursor;
  }
}

describe('outbox survives SIGKILL during a DB outage', () => {
  it('every acknowledged append is in the DB exactly once after the flush, also when a flush is replayed', async () => {
    const dir = await tempDir();
    const outboxPath = join(dir, 'outbox.jsonl');
    const writer = spawnFixture('append-during-outage.ts', [`ws://127.0.0.1:${await closedPort()}/rpc`, outboxPath]);
    await expect.poll(() => writer.lines.filter((l) => l.startsWith('ack ')).length, { timeout: 30_000, interval: 20 }).toBeGreaterThanOrEqual(60);
    writer.child.kill('SIGKILL');
    await writer.exited;
    const acks = writer.lines.filter((l) => l.startsWith('ack ')).map((l) => l.split(' '));
    expect(acks.every(([, , status]) => status === 'outboxed')).toBe(true);
    const acked = acks.map(([, key]) => key!);

    // Flush into the (now reachable) DB in another process, then put the old outbox file back:
    // exactly the state of a process that committed everything and died before compacting.
    const dbUrl = `surrealkv://${join(dir, 'db')}`;
    await copyFile(outboxPath, `${outboxPath}.before-flush`);
    const flusher = spawnFixture('flush-outbox.ts', [dbUrl, outboxPath]);
    expect(await flusher.exited).toBe(0);
    const flushed = JSON.parse(flusher.lines[0]!) as { flushed: number; remaining: number };
    expect(flushed.remaining).toBe(0);
    expect(flushed.flushed).toBeGreaterThanOrEqual(acked.length);
    await copyFile(`${outboxPath}.before-flush`, outboxPath);

    const store = await openEventStore({ url: dbUrl, outboxPath, pingIntervalMs: 60_000 });
    onTestFinished(() => store.close());
    expect(store.health().outboxSize).toBe(flushed.flushed);
    expect(await store.flushOutbox()).toEqual({ flushed: flushed.flushed, remaining: 0 });
    const events = await readEverything(store);
    expect(events).toHaveLength(flushed.flushed);
    checkExactlyOnce(events, acked);
    expect(await readFile(outboxPath, 'utf8')).toBe('');
  });
});

/**
 * A TCP relay in front of the DB server whose traffic can be cut without closing a socket:
 * "blackhole" drops both directions (a half-open peer), "mute" drops only replies (the DB does
 * the work, the client never hears back).
 */
async function startRelay(targetPort: number): Promise<{ url: string; mode: 'open' | 'blackhole' | 'mute'; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  const relay = {
    url: '',
    mode: 'open' as 'open' | 'blackhole' | 'mute',
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  const server = createServer((client) => {
    const upstream = connect(targetPort, '127.0.0.1');
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('error', () => {});
      s.on('close', () => {
        client.destroy();
        upstream.destroy();
      });
    }
    client.on('data', (chunk) => {
      if (relay.mode === 'open' || relay.mode === 'mute') upstream.write(chunk);
    });
    upstream.on('data', (chunk) => {
      if (relay.mode === 'open') client.write(chunk);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  relay.url = `ws://127.0.0.1:${(server.address() as AddressInfo).port}/rpc`;
  return relay;
}

describe.skipIf(!existsSync(serverModule))('remote SurrealDB over ws:// (embedded server)', () => {
  async function startServer() {
    const { startSurrealServer } = (await import(serverModule)) as typeof import('../../harness/env/surreal/server.ts');
    const server = await startSurrealServer({ port: 0, path: 'memory' });
    onTestFinished(() => server.destroy());
    return server;
  }

  it(
    "a new writer (restart) numbers on from the DB's heads; " + 'a second writer on the same DB is caught by the unique indexes, never doubled or gapped',
    async () => {
      const server = await startServer();
      const dir = await tempDir();
      const first = await openEventStore({ url: server.url, outboxPath: join(dir, 'a.jsonl'), pingIntervalMs: 60_000 });
      onTestFinished(() => first.destroy());
      const original = await first.append('bead:r', { type: 'BeadQueued', data: {} }, { idempotencyKey: 'r-1' });
      await first.append('bead:r', { type: 'BeadQueued', data: {} }, { idempotencyKey: 'r-2' });
      await first.append('bead:other', { type: 'BeadQueued', data: {} }, { idempotencyKey: 'o-1' });
      await first.close();

      // The restarted writer knows nothing in memory: it loads log_head, and bead:r is not new.
      const second = await openEventStore({ url: server.url, outboxPath: join(dir, 'b.jsonl'), pingIntervalMs: 60_000 });
      onTestFinished(() => second.destroy());
      const next = await second.append('bead:r', { type: 'BeadQueued', data: {} }, { idempotencyKey: 'r-3' });
      expect(next.status === 'committed' && [next.record.seq, next.record.position]).toEqual([3, 4]);
      expect(second.health().writes).toMatchObject({ staleRetries: 1, fallbacks: 0 });
      // A retry of a key committed before the restart: not in memory, so the index answers, via the careful path.
      expect(await second.append('bead:r', { type: 'BeadQueued', data: {} }, { idempotencyKey: 'r-1' })).toEqual(original);
      expect(second.health().writes.fallbacks).toBe(1);

      // Another writer on the same DB: each one's memory goes stale whenever the other commits.
      const third = await openEventStore({ url: server.url, outboxPath: join(dir, 'c.jsonl'), pingIntervalMs: 60_000 });
      onTestFinished(() => third.destroy());
      for (let i = 0; i < 10; i++) {
        const writer = i % 2 === 0 ? second : third;
        await Promise.all([
          writer.append('bead:r', { type: 'BeadQueued', data: { i } }, { idempotencyKey: `w-${i}` }),
          writer.append(`bead:w${i}`, { type: 'BeadQueued', data: { i } }, { idempotencyKey: `w-new-${i}` }),
        ]);
      }
      expect(second.health().writes.staleRetries + third.health().writes.staleRetries).toBeGreaterThanOrEqual(9);
      const events = await readEverything(third);
      expect(events.map((e) => e.position)).toEqual(events.map((_, i) => i + 1));
      expect((await third.read('bead:r')).map((e) => [e.seq, e.idempotencyKey])).toEqual([
        [1, 'r-1'],
        [2, 'r-2'],
        [3, 'r-3'],
        ...Array.from({ length: 10 }, (_, i) => [4 + i, `w-${i}`]),
      ]);
      await Promise.all([second.close(), third.close()]);
    },
  );

  it('a batch that times out midway takes every append queued behind it to the outbox: none is acknowledged out of order, all land once', async () => {
    const server = await startServer();
    const relay = await startRelay(server.port);
    onTestFinished(() => relay.close());
    const dir = await tempDir();
    const store = await openEventStore({ url: relay.url, outboxPath: join(dir, 'outbox.jsonl'), timeoutMs: 300, pingIntervalMs: 600_000 });
    onTestFinished(() => store.destroy());
    const acks: { key: string; status: string }[] = [];
    const calls: string[] = [];
    const pending: Promise<void>[] = [];
    for (let i = 0; i < 200; i++) {
      const key = `q-${i}`;
      calls.push(key);
      const append = store.append(`bead:q${i % 3}`, { type: 'BeadQueued', data: { i } }, { idempotencyKey: key });
      pending.push(append.then((r) => void acks.push({ key, status: r.status })));
      // Cut the DB off while batches are in flight: the one at the DB times out, the queued ones follow it.
      if (i === 120) relay.mode = 'blackhole';
      if (i % 20 === 19) await new Promise((resolve) => setTimeout(resolve, 5));
    }
    await Promise.all(pending);
    // Acknowledged in call order, and once one append went to the outbox every later one did too.
    expect(acks.map((a) => a.key)).toEqual(calls);
    const firstOutboxed = acks.findIndex((a) => a.status === 'outboxed');
    expect(firstOutboxed).toBeGreaterThan(-1);
    expect(acks.slice(firstOutboxed).every((a) => a.status === 'outboxed')).toBe(true);
    relay.mode = 'open';
    expect(await store.flushOutbox()).toEqual({ flushed: 200 - firstOutboxed, remaining: 0 });
    const events = await readEverything(store);
    expect(events).toHaveLength(200);
    checkExactlyOnce(events, calls);
    expect(events.map((e) => e.position)).toEqual(events.map((_, i) => i + 1));
    await store.close();
  });

  it('detects a connection that stops answering mid-way (half-open), outboxes, reconnects and flushes exactly once', async () => {
    const server = await startServer();
    const relay = await startRelay(server.port);
    onTestFinished(() => relay.close());
    const dir = await tempDir();
    const store = await openEventStore({ url: relay.url, outboxPath: join(dir, 'outbox.jsonl'), ...RELAY_TIMEOUTS });
    onTestFinished(() => store.destroy());
    expect(store.health().connection).toBe('connected');
    expect((await store.append('bead:h', { type: 'BeadQueued', data: {} }, { idempotencyKey: 'h-1' })).status).toBe('committed');

    relay.mode = 'blackhole';
    expect((await store.append('bead:h', { type: 'BeadQueued', data: {} }, { idempotencyKey: 'h-2' })).status).toBe('outboxed');
    await expect.poll(() => store.health().connection, { timeout: 5_000 }).toBe('down');
    const fast = performance.now();
    expect((await store.append('bead:h', { type: 'BeadQueued', data: {} }, { idempotencyKey: 'h-3' })).status).toBe('outboxed');
    expect(performance.now() - fast).toBeLessThan(400);

    relay.mode = 'open';
    await expect.poll(() => store.health(), { timeout: 10_000 }).toMatchObject({ connection: 'connected', outboxSize: 0 });
    const events = await store.read('bead:h');
    expect(events.map((e) => [e.seq, e.idempotencyKey])).toEqual([
      [1, 'h-1'],
      [2, 'h-2'],
      [3, 'h-3'],
    ]);
    await store.close();
  });

  it('every DB call has a timeout (ORCH_DB_TIMEOUT); a timed-out append is outboxed and flushed in order later', async () => {
    const server = await startServer();
    const relay = await startRelay(server.port);
    onTestFinished(() => relay.close());
    const dir = await tempDir();
    // No watchdog interference: this test drives the flush itself.
    const store = await openEventStore({ url: relay.url, outboxPath: join(dir, 'outbox.jsonl'), timeoutMs: 300, pingIntervalMs: 600_000 });
    onTestFinished(() => store.destroy());
    await store.append('bead:t', { type: 'BeadQueued', data: {} }, { idempotencyKey: 't-1' });
    relay.mode = 'blackhole';
    const started = performance.now();
    await expect(store.read('bead:t')).rejects.toMatchObject({ code: 'ORCH_DB_TIMEOUT', retryable: true });
    await expect(store.loadCheckpoint('t')).rejects.toMatchObject({ code: 'ORCH_DB_TIMEOUT' });
    expect(performance.now() - started).toBeLessThan(3_000);
    expect((await store.append('bead:t', { type: 'BeadQueued', data: {} }, { idempotencyKey: 't-2' })).status).toBe('outboxed');
    // Later appends queue behind the outbox, even though the connection still looks fine.
    expect((await store.append('bead:t', { type: 'BeadQueued', data: {} }, { idempotencyKey: 't-3' })).status).toBe('outboxed');
    relay.mode = 'open';
    expect(await store.flushOutbox()).toEqual({ flushed: 2, remaining: 0 });
    expect((await store.read('bead:t')).map((e) => [e.seq, e.idempotencyKey])).toEqual([
      [1, 't-1'],
      [2, 't-2'],
      [3, 't-3'],
    ]);
    await store.close();
  });

  it('a commit whose reply was lost (the DB did the work) is not doubled by the flush', async () => {
    const server = await startServer();
    const relay = await startRelay(server.port);
    onTestFinished(() => relay.close());
    const dir = await tempDir();
    const store = await openEventStore({ url: relay.url, outboxPath: join(dir, 'outbox.jsonl'), ...RELAY_TIMEOUTS });
    onTestFinished(() => store.destroy());
    relay.mode = 'mute';
    expect((await store.append('bead:m', { type: 'BeadQueued', data: {} }, { idempotencyKey: 'm-1' })).status).toBe('outboxed');
    expect((await store.append('bead:m', { type: 'BeadQueued', data: {} }, { idempotencyKey: 'm-2' })).status).toBe('outboxed');
    relay.mode = 'open';
    await expect.poll(() => store.health(), { timeout: 10_000 }).toMatchObject({ connection: 'connected', outboxSize: 0 });
    const events = await store.read('bead:m');
    expect(events.map((e) => [e.seq, e.idempotencyKey])).toEqual([
      [1, 'm-1'],
      [2, 'm-2'],
    ]);
    await store.close();
  });

  it('SIGKILL of a writer while the server is down, then the server comes up on that port: every ack lands once', async () => {
    const dir = await tempDir();
    const port = await closedPort();
    const outboxPath = join(dir, 'outbox.jsonl');
    const writer = spawnFixture('append-during-outage.ts', [`ws://127.0.0.1:${port}/rpc`, outboxPath]);
    await expect.poll(() => writer.lines.filter((l) => l.startsWith('ack ')).length, { timeout: 30_000, interval: 20 }).toBeGreaterThanOrEqual(30);
    writer.child.kill('SIGKILL');
    await writer.exited;
    const acked = writer.lines.filter((l) => l.startsWith('ack ')).map((l) => l.split(' ')[1]!);

    const { startSurrealServer } = (await import(serverModule)) as typeof import('../../harness/env/surreal/server.ts');
    const server = await startSurrealServer({ port, path: join(dir, 'db') });
    onTestFinished(() => server.destroy());
    // The restarted orchestrator: same outbox, DB reachable again; the watchdog flushes on its own.
    const store = await openEventStore({ url: server.url, outboxPath, pingIntervalMs: 100 });
    onTestFinished(() => store.close());
    await expect.poll(() => store.health().outboxSize, { timeout: 20_000 }).toBe(0);
    checkExactlyOnce(await readEverything(store), acked);
  });
});
