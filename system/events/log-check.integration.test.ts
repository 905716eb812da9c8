/**
 * The open-time log check (integrity.ts) on real embedded logs: a normal reopen passes, a log
 * that lost events fails start with ORCH_EVENT_LOG_LOST. The loss is made without the engine bug
 * (README.md "Engine"): events deleted through the raw SDK on the closed store's directory, or the
 * high-water mark edited. Each step is its own process (the engine keeps the directory locked).
 */
import { describe, expect, it, onTestFinished } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const FIXTURE = fileURLToPath(new URL('./fixtures/log-check.ts', import.meta.url));

async function tempDb(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'oya-log-check-'));
  onTestFinished(() => rm(dir, { recursive: true, force: true, maxRetries: 10, retryDelay: 100 }));
  return join(dir, 'db');
}

/** Runs one fixture step and returns the JSON line it printed. */
function step(...args: string[]): Record<string, unknown> {
  const res = spawnSync(process.execPath, ['--import', 'tsx', FIXTURE, ...args], { encoding: 'utf8', timeout: 60_000 });
  if (res.status !== 0) throw new Error(`log-check ${args[0]} exited ${res.status}: ${res.stderr.slice(-800)}`);
  return JSON.parse(res.stdout.trim().split('\n').at(-1)!) as Record<string, unknown>;
}

const EVENTS = 300;

describe('open-time log check (ORCH_EVENT_LOG_LOST)', () => {
  it('a normal reopen passes; the new directory is rocksdb and the mark holds the last position', async () => {
    const db = await tempDb();
    expect(step('write', db, String(EVENTS))).toMatchObject({ url: `rocksdb://${db}`, mark: EVENTS });
    expect(step('open', db)).toEqual({ ok: true, events: EVENTS });
    expect(step('check', db)).toMatchObject({ head: EVENTS, count: EVENTS, mark: EVENTS });
    // A reopen that wrote nothing leaves the mark where it was, and opens again.
    expect(step('open', db)).toEqual({ ok: true, events: EVENTS });
    expect((await readFile(`${db}.mark`, 'utf8')).trim()).toBe(String(EVENTS));
  }, 120_000);

  it('events deleted under an unchanged head: the count says so', async () => {
    const db = await tempDb();
    step('write', db, String(EVENTS));
    step('raw', db, 'DELETE event WHERE position = 150 OR position = 151;');
    expect(step('open', db)).toMatchObject({
      ok: false,
      code: 'ORCH_EVENT_LOG_LOST',
      details: { expected: EVENTS, found: EVENTS - 2 },
      message: expect.stringMatching(/head is position 300 but it holds 298 events \(expected 300, found 298\)/),
    });
  }, 120_000);

  it('the newest commits lost with the head (what the engine bug does): the high-water mark says so', async () => {
    const db = await tempDb();
    step('write', db, String(EVENTS));
    // Consistent in itself (count = head, event at head, none above): only the mark knows.
    step('raw', db, 'DELETE event WHERE position > 256; UPSERT log_head:global SET position = 256;');
    expect(step('check', db, 'nomark')).toMatchObject({ head: 256, count: 256 });
    expect(step('open', db)).toMatchObject({ ok: false, code: 'ORCH_EVENT_LOG_LOST', details: { expected: EVENTS, found: 256 } });
  }, 120_000);

  it('a mark above the head fails the open; the head ahead of its rows too', async () => {
    const db = await tempDb();
    step('write', db, String(EVENTS));
    await writeFile(`${db}.mark`, `${EVENTS + 5}\n`);
    expect(step('open', db)).toMatchObject({ ok: false, code: 'ORCH_EVENT_LOG_LOST', details: { expected: EVENTS + 5, found: EVENTS } });
    await writeFile(`${db}.mark`, `${EVENTS}\n`);
    expect(step('open', db)).toEqual({ ok: true, events: EVENTS });
    step('raw', db, 'DELETE event WHERE position = 300; CREATE event SET position = 301, stream = "bead:x", seq = 99, idempotencyKey = "x";');
    expect(step('open', db)).toMatchObject({ ok: false, code: 'ORCH_EVENT_LOG_LOST', details: { expected: EVENTS, found: 301 } });
  }, 120_000);
});
