/**
 * The orchestrator as a real process (`node harness/cli/oya.mjs start`): SIGKILL and restart,
 * SIGTERM mid-run and restart, and command-line misuse. Every child is SIGKILLed by the cleanup
 * if a test leaves it running, and every temp dir is removed.
 */
import { spawnSync } from 'node:child_process';
import { afterEach, expect, it } from 'vitest';
import {
  Cleanups,
  ORCHESTRATOR_ARGV,
  allEvents,
  doubleApplied,
  http,
  illegalTransitions,
  sideEffects,
  spawnOya,
  tempDir,
  waitFor,
  waitForBeads,
  type EventReply,
} from './test-helpers.ts';
import { isProcessRunning as isAlive } from '../util/process.ts';

const cleanups = new Cleanups();
afterEach(() => cleanups.run());

const ARGS = (dataDir: string) => ['--port', '0', '--data-dir', dataDir, '--workers', '4', '--reconcile-tick', '200', '--log-level', 'warn'];

async function submitMany(base: string, prefix: string, n: number, agent: Record<string, unknown>): Promise<string[]> {
  const ids = Array.from({ length: n }, (_, i) => `${prefix}-${i}`);
  for (const id of ids) {
    const reply = await http(base, 'POST', '/beads', { id, title: id, input: { agent } });
    expect(reply.status).toBe(201);
  }
  return ids;
}

/** The log's own story: one submit and one outcome per bead, gapless streams. */
function expectCleanLog(events: EventReply[], ids: string[]): void {
  for (const id of ids) {
    const stream = events.filter((e) => e.stream === `bead:${id}`);
    expect(
      stream.map((e) => e.seq),
      `seqs of ${id}`,
    ).toEqual(stream.map((_, i) => i + 1));
    expect(
      stream.filter((e) => e.type === 'BeadSubmitted'),
      `submits of ${id}`,
    ).toHaveLength(1);
    expect(
      stream.filter((e) => ['BeadSucceeded', 'BeadFailed', 'BeadCancelled'].includes(e.type)),
      `outcomes of ${id}`,
    ).toHaveLength(1);
  }
  expect(illegalTransitions(events), 'illegal transitions in the log').toEqual([]);
}

it('survives SIGKILL: after a restart every bead finishes once, resumed from its checkpoint', async () => {
  const dataDir = await tempDir(cleanups);
  const first = await spawnOya(cleanups, ARGS(dataDir));
  const ids = await submitMany(first.url, 'sk', 12, { steps: 10, stepTime: '60ms' });
  const keyed = await http(first.url, 'POST', '/beads', { title: 'keyed', input: { agent: { steps: 1 } } }, { 'idempotency-key': 'sk-key' });
  await waitFor('some checkpoints', async () => (await sideEffects(dataDir)).length >= 8);
  first.child.kill('SIGKILL');
  await first.exited;

  const restartedAt = Date.now();
  const second = await spawnOya(cleanups, ARGS(dataDir));
  // A client retrying its submits after the crash gets the original beads, not new ones.
  const retried = await http(second.url, 'POST', '/beads', { id: 'sk-0', title: 'sk-0', input: { agent: { steps: 10, stepTime: '60ms' } } });
  expect([retried.status, retried.headers.get('idempotent-replayed')]).toEqual([200, 'true']);
  const retriedKeyed = await http(second.url, 'POST', '/beads', { title: 'keyed', input: { agent: { steps: 1 } } }, { 'idempotency-key': 'sk-key' });
  expect(retriedKeyed.status).toBe(200);
  expect(retriedKeyed.body.beads[0].id).toBe(keyed.body.beads[0].id);
  const views = await waitForBeads(second.url, ids, 90_000);
  expect(ids.map((id) => views[id]?.status)).toEqual(ids.map(() => 'succeeded'));
  const events = await allEvents(second.url);
  expectCleanLog(events, ids);
  // Every bead that was in flight at the kill has a BeadStarted after the restart; how soon is the resume time.
  const resumedAt = events.filter((e) => e.type === 'BeadStarted' && Date.parse(e.at) >= restartedAt).map((e) => Date.parse(e.at) - restartedAt);
  expect(resumedAt.length).toBeGreaterThan(0);
  console.info(`[measure] SIGKILL restart: first resumed BeadStarted ${Math.min(...resumedAt)} ms after spawn`);
  expect(Math.min(...resumedAt)).toBeLessThan(15_000);
  // At most the step in flight at the kill ran twice, per bead.
  const doubles = doubleApplied(await sideEffects(dataDir));
  expect([...doubles.values()].every((n) => n <= 2)).toBe(true);
  for (const id of ids) expect([...doubles.keys()].filter((k) => k.startsWith(`${id}:`)).length).toBeLessThanOrEqual(1);
});

it('shuts down on SIGTERM mid-run within the bound (exit 0, no workers left), and the restart resumes', async () => {
  const dataDir = await tempDir(cleanups);
  const first = await spawnOya(cleanups, ARGS(dataDir));
  const ids = await submitMany(first.url, 'gs', 20, { steps: 20, stepTime: '50ms' });
  await waitFor('4 beads running', async () => (await sideEffects(dataDir)).length >= 8);
  const workerPids = [...new Set((await sideEffects(dataDir)).map((r) => r.pid))];
  const started = Date.now();
  first.child.kill('SIGTERM');
  const exit = await first.exited;
  const tookMs = Date.now() - started;
  console.info(`[measure] SIGTERM with 4 beads in flight (20 submitted): exit after ${tookMs} ms`);
  expect(exit).toEqual({ code: 0, signal: null });
  expect(tookMs).toBeLessThan(10_000);
  expect(first.stdout()).toContain('oya stopped (SIGTERM)');
  expect(workerPids.filter(isAlive)).toEqual([]);

  const second = await spawnOya(cleanups, ARGS(dataDir));
  const views = await waitForBeads(second.url, ids, 120_000);
  expect(ids.map((id) => views[id]?.status)).toEqual(ids.map(() => 'succeeded'));
  const events = await allEvents(second.url);
  expectCleanLog(events, ids);
  const requeued = events.filter((e) => e.type === 'BeadQueued' && e.data.reason === 'orchestrator shutdown');
  expect(requeued.length).toBeGreaterThanOrEqual(1);
  for (const e of requeued) {
    // The interrupted attempt has its end in the log before the bead is queued again.
    expect(events.find((p) => p.stream === e.stream && p.seq === e.seq - 1)?.type, `${e.stream} before its requeue`).toBe('BeadInterrupted');
    const starts = events.filter((s) => s.stream === e.stream && s.type === 'BeadStarted');
    expect(starts.at(-1)?.data.fromStep, `${e.stream} resumed from its checkpoint`).toBeGreaterThan(0);
  }
  // A graceful stop aborts steps before their side effect: nothing ran twice.
  expect([...doubleApplied(await sideEffects(dataDir)).keys()]).toEqual([]);
});

it('refuses bad flags and bad OYA_* values with exit code 2 naming the field', () => {
  const run = (args: string[], env: Record<string, string> = {}) =>
    spawnSync(process.execPath, [...ORCHESTRATOR_ARGV, ...args], { env: { ...process.env, ...env }, encoding: 'utf8', timeout: 60_000 });
  const badPort = run(['--port', 'eighty']);
  expect(badPort.status).toBe(2);
  expect(badPort.stderr).toMatch(/--port/);
  const unknown = run(['--wrokers', '3']);
  expect(unknown.status).toBe(2);
  const badEnv = run(['--port', '0'], { OYA_WORKERS: '0' });
  expect(badEnv.status).toBe(2);
  expect(badEnv.stderr).toMatch(/workers/);
  const help = run(['--help']);
  expect(help.status).toBe(0);
  expect(help.stdout).toMatch(/--data-dir/);
});
