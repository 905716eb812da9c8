/**
 * The test-only defects (config.ts DEFECTS) really break what they claim to break, so the
 * harness self-check can prove its checks catch each one. And they are off unless asked for.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ACK_BEFORE_DURABLE_HOLD_MS } from './journal.ts';
import { silentLogger } from './log.ts';
import { startOrchestrator, type OrchestratorHandle } from './orchestrator.ts';
import { Cleanups, allEvents, doubleApplied, http, sideEffects, spawnOya, tempDir, waitFor, waitForBeads } from './test-helpers.ts';

const cleanups = new Cleanups();
afterAll(() => cleanups.run());

describe('drop-event and double-step (in-process)', () => {
  let orch: OrchestratorHandle;
  let dataDir: string;
  beforeAll(async () => {
    dataDir = await tempDir(cleanups);
    orch = await startOrchestrator({ port: 0, dataDir, workers: 2, defects: ['drop-event', 'double-step'] }, { logger: silentLogger });
    cleanups.add(() => orch.destroy());
  });

  it('drop-event: one StepCheckpointed never reaches the log', async () => {
    await http(orch.url, 'POST', '/beads', { id: 'drop', title: 'drop', input: { agent: { steps: 3, stepTime: '10ms' } } });
    await waitForBeads(orch.url, ['drop']);
    const steps = (await allEvents(orch.url, 'bead:drop')).filter((e) => e.type === 'StepCheckpointed').map((e) => e.data.step);
    expect(steps).toEqual([1, 3]);
  });

  it('double-step: a resumed attempt re-runs its last finished step (side effect applied twice)', async () => {
    await http(orch.url, 'POST', '/beads', { id: 'dbl', title: 'dbl', input: { agent: { steps: 4, stepTime: '10ms', failAt: 3, failTimes: 1 } } });
    const { dbl } = await waitForBeads(orch.url, ['dbl']);
    expect(dbl.status).toBe('succeeded');
    expect([...doubleApplied(await sideEffects(dataDir, 'dbl')).keys()]).toEqual(['dbl:2']);
  });
});

it('without defects, the same scripts neither drop nor double anything', async () => {
  const dataDir = await tempDir(cleanups);
  const orch = await startOrchestrator({ port: 0, dataDir, workers: 2 }, { logger: silentLogger });
  cleanups.add(() => orch.destroy());
  await http(orch.url, 'POST', '/beads', { id: 'drop', title: 'drop', input: { agent: { steps: 3, stepTime: '10ms' } } });
  await http(orch.url, 'POST', '/beads', { id: 'dbl', title: 'dbl', input: { agent: { steps: 4, stepTime: '10ms', failAt: 3, failTimes: 1 } } });
  await waitForBeads(orch.url, ['drop', 'dbl']);
  expect((await allEvents(orch.url, 'bead:drop')).filter((e) => e.type === 'StepCheckpointed')).toHaveLength(3);
  expect([...doubleApplied(await sideEffects(dataDir)).keys()]).toEqual([]);
});

it('lose-on-restart: one in-flight bead is never resumed after a restart (and is logged at warn)', async () => {
  const dataDir = await tempDir(cleanups);
  const args = ['--port', '0', '--data-dir', dataDir, '--workers', '2', '--reconcile-tick', '200', '--log-level', 'warn'];
  const env = { OYA_DEFECTS: 'lose-on-restart' };
  const first = await spawnOya(cleanups, args, env);
  expect(first.stderr()).toMatch(/TEST-ONLY DEFECTS ENABLED/);
  const ids = ['lose-0', 'lose-1', 'lose-2'];
  for (const id of ids) await http(first.url, 'POST', '/beads', { id, title: id, input: { agent: { steps: 20, stepTime: '50ms' } } });
  await waitFor('a checkpoint', async () => (await sideEffects(dataDir)).length >= 2);
  first.child.kill('SIGKILL');
  await first.exited;
  const second = await spawnOya(cleanups, args, env);
  await waitFor('the forgetting to be logged', () => /in-flight bead forgotten/.test(second.stderr()), 20_000);
  // Give the others time to finish; the forgotten one never moves again.
  await waitFor(
    'two beads to succeed',
    async () => {
      const views = await Promise.all(ids.map(async (id) => (await http(second.url, 'GET', `/beads/${id}`)).body.bead.status));
      return views.filter((s) => s === 'succeeded').length === 2 ? views : undefined;
    },
    60_000,
  );
  await new Promise((r) => setTimeout(r, 1500));
  const statuses = await Promise.all(ids.map(async (id) => (await http(second.url, 'GET', `/beads/${id}`)).body.bead.status));
  expect(statuses.filter((s) => s === 'succeeded')).toHaveLength(2);
  expect(statuses.filter((s) => s !== 'succeeded')).toHaveLength(1);
});

describe('dependent-early (in-process)', () => {
  /** A join on a quick and a slow bead; returns where in the log the join started and the slow one succeeded. */
  async function joinRun(defects: Array<'dependent-early'>): Promise<{ joinStarted: number; slowSucceeded: number; status: string }> {
    const dataDir = await tempDir(cleanups);
    const orch = await startOrchestrator({ port: 0, dataDir, workers: 3, defects }, { logger: silentLogger });
    cleanups.add(() => orch.destroy());
    const bead = (id: string, steps: number, stepTime: string, dependsOn: string[] = []) => ({
      id,
      title: id,
      input: { agent: { steps, stepTime } },
      dependsOn,
    });
    const beads = [bead('quick', 1, '10ms'), bead('slow', 5, '200ms'), bead('join', 1, '10ms', ['quick', 'slow'])];
    await http(orch.url, 'POST', '/beads', { workflow: { id: 'j', beads } });
    const views = await waitForBeads(orch.url, ['quick', 'slow', 'join']);
    const log = await allEvents(orch.url);
    const at = (id: string, type: string): number => log.find((e) => e.stream === `bead:${id}` && e.type === type)!.cursor;
    return { joinStarted: at('join', 'BeadStarted'), slowSucceeded: at('slow', 'BeadSucceeded'), status: views.join.status };
  }

  it('releases a dependent when its FIRST dependency succeeds: the join starts before the slow branch succeeded', async () => {
    const run = await joinRun(['dependent-early']);
    expect(run.status).toBe('succeeded');
    expect(run.joinStarted).toBeLessThan(run.slowSucceeded);
  });

  it('without the defect the join starts only after both', async () => {
    const run = await joinRun([]);
    expect(run.joinStarted).toBeGreaterThan(run.slowSucceeded);
  });
});

it('start-after-outcome: a BeadStarted lands in the log after the bead succeeded (the API still says succeeded)', async () => {
  const dataDir = await tempDir(cleanups);
  const orch = await startOrchestrator({ port: 0, dataDir, workers: 2, defects: ['start-after-outcome'] }, { logger: silentLogger });
  cleanups.add(() => orch.destroy());
  await http(orch.url, 'POST', '/beads', { id: 'late', title: 'late', input: { agent: { steps: 1, stepTime: '10ms' } } });
  const { late } = await waitForBeads(orch.url, ['late']);
  expect(late.status).toBe('succeeded');
  const types = await waitFor('the late BeadStarted', async () => {
    const t = (await allEvents(orch.url, 'bead:late')).map((e) => e.type);
    return t.at(-1) === 'BeadStarted' ? t : undefined;
  });
  expect(types.slice(-2)).toEqual(['BeadSucceeded', 'BeadStarted']);
});

it('skip-step: a resumed attempt starts at checkpoint + 2, and the step in between is never applied', async () => {
  const dataDir = await tempDir(cleanups);
  const orch = await startOrchestrator({ port: 0, dataDir, workers: 2, defects: ['skip-step'] }, { logger: silentLogger });
  cleanups.add(() => orch.destroy());
  await http(orch.url, 'POST', '/beads', { id: 'skp', title: 'skp', input: { agent: { steps: 4, stepTime: '10ms', failAt: 3, failTimes: 1 } } });
  const { skp } = await waitForBeads(orch.url, ['skp']);
  expect(skp.status).toBe('succeeded');
  const starts = (await allEvents(orch.url, 'bead:skp')).filter((e) => e.type === 'BeadStarted').map((e) => e.data.fromStep);
  expect(starts).toEqual([0, 3]);
  expect((await sideEffects(dataDir, 'skp')).map((r) => r.step).sort()).toEqual([1, 2, 4]);
});

it('forget-keys-on-restart: after a SIGKILL and restart, a retried keyed submit creates a new bead (and without the defect it does not)', async () => {
  const newIdAfterRestart = async (defects: string): Promise<{ first: string; retried: string; status: number }> => {
    const dataDir = await tempDir(cleanups);
    const args = ['--port', '0', '--data-dir', dataDir, '--workers', '2', '--log-level', 'warn'];
    const env = { OYA_DEFECTS: defects };
    const first = await spawnOya(cleanups, args, env);
    const body = { title: 'keyed', input: { agent: { steps: 1, stepTime: '10ms' } } };
    const created = await http(first.url, 'POST', '/beads', body, { 'idempotency-key': 'fk-1' });
    first.child.kill('SIGKILL');
    await first.exited;
    const second = await spawnOya(cleanups, args, env);
    const retried = await http(second.url, 'POST', '/beads', body, { 'idempotency-key': 'fk-1' });
    return { first: created.body.beads[0].id, retried: retried.body.beads[0].id, status: retried.status };
  };
  const broken = await newIdAfterRestart('forget-keys-on-restart');
  expect(broken.status).toBe(201);
  expect(broken.retried).not.toBe(broken.first);
  const sound = await newIdAfterRestart('');
  expect(sound).toEqual({ first: sound.first, retried: sound.first, status: 200 });
});

it(
  'ack-before-durable: POST /beads answers 201 while the log holds nothing of the bead; ' +
    'the events land after the hold (and without the defect before the answer)',
  async () => {
    type Look = { status: number; answeredMs: number; inLogAtAnswer: number; inLogLater: number };
    const submitThenLook = async (defects: Array<'ack-before-durable'>): Promise<Look> => {
      const orch = await startOrchestrator({ port: 0, dataDir: await tempDir(cleanups), workers: 2, defects }, { logger: silentLogger });
      cleanups.add(() => orch.destroy());
      const t0 = performance.now();
      const reply = await http(orch.url, 'POST', '/beads', { id: 'acked', title: 'acked', input: { agent: { steps: 1, stepTime: '10ms' } } });
      const answeredMs = performance.now() - t0;
      const inLogAtAnswer = (await allEvents(orch.url, 'bead:acked')).length;
      const later = await waitFor(
        'the held events to land',
        async () => {
          const n = (await allEvents(orch.url, 'bead:acked')).length;
          return n > 0 ? n : undefined;
        },
        20_000,
      );
      return { status: reply.status, answeredMs, inLogAtAnswer, inLogLater: later };
    };
    const broken = await submitThenLook(['ack-before-durable']);
    expect(broken.status).toBe(201);
    expect(broken.answeredMs).toBeLessThan(ACK_BEFORE_DURABLE_HOLD_MS);
    expect(broken.inLogAtAnswer).toBe(0);
    expect(broken.inLogLater).toBeGreaterThan(0);
    const healthy = await submitThenLook([]);
    expect(healthy.status).toBe(201);
    expect(healthy.inLogAtAnswer).toBeGreaterThan(0);
  },
);

describe('phantom-bead and seq-gap (in-process)', () => {
  let orch: OrchestratorHandle;
  beforeAll(async () => {
    orch = await startOrchestrator({ port: 0, dataDir: await tempDir(cleanups), workers: 2, defects: ['phantom-bead', 'seq-gap'] }, { logger: silentLogger });
    cleanups.add(() => orch.destroy());
  });

  it('phantom-bead: the first submit also creates phantom-<id>, once', async () => {
    await http(orch.url, 'POST', '/beads', { id: 'real', title: 'real', input: { agent: { steps: 3, stepTime: '10ms' } } });
    await http(orch.url, 'POST', '/beads', { id: 'real2', title: 'real2', input: { agent: { steps: 1, stepTime: '10ms' } } });
    const { 'phantom-real': phantom } = await waitForBeads(orch.url, ['real', 'real2', 'phantom-real']);
    expect(phantom.status).toBe('succeeded');
    const created = (await allEvents(orch.url)).filter((e) => e.type === 'BeadSubmitted').map((e) => e.stream);
    expect(created.sort()).toEqual(['bead:phantom-real', 'bead:real', 'bead:real2']);
  });

  it('seq-gap: exactly one stream has one seq missing, at a checkpoint of step >= 2', async () => {
    const streams = new Map<string, number[]>();
    for (const e of await allEvents(orch.url)) streams.set(e.stream, [...(streams.get(e.stream) ?? []), e.seq]);
    const gapped = [...streams].filter(([, seqs]) => seqs.some((seq, i) => seq !== i + 1));
    expect(gapped).toHaveLength(1);
    const [stream, seqs] = gapped[0]!;
    const missing = seqs.findIndex((seq, i) => seq !== i + 1) + 1;
    const after = (await allEvents(orch.url, stream)).find((e) => e.seq === missing + 1);
    expect(after).toMatchObject({ type: 'StepCheckpointed' });
    expect(after?.data.step).toBeGreaterThanOrEqual(2);
  });
});

describe('double-outcome and start-twice (in-process)', () => {
  it('a succeeded attempt is started twice and ends twice (BeadSucceeded, then BeadFailed of the same attempt)', async () => {
    const orch = await startOrchestrator(
      { port: 0, dataDir: await tempDir(cleanups), workers: 2, defects: ['double-outcome', 'start-twice'] },
      { logger: silentLogger },
    );
    cleanups.add(() => orch.destroy());
    await http(orch.url, 'POST', '/beads', { id: 'twice', title: 'twice', input: { agent: { steps: 1, stepTime: '10ms' } } });
    const { twice } = await waitForBeads(orch.url, ['twice']);
    expect(twice.status).toBe('succeeded'); // the table's projection keeps the first outcome
    const events = await waitFor('the second outcome', async () => {
      const all = await allEvents(orch.url, 'bead:twice');
      return all.some((e) => e.type === 'BeadFailed') ? all : undefined;
    });
    expect(events.filter((e) => e.type === 'BeadStarted').map((e) => e.data.attempt)).toEqual([1, 1]);
    const outcomes = events.filter((e) => e.type === 'BeadSucceeded' || e.type === 'BeadFailed').map((e) => [e.type, e.data.attempt]);
    expect(outcomes).toEqual([
      ['BeadSucceeded', 1],
      ['BeadFailed', 1],
    ]);
  });
});

describe('release-on-failure and cancel-without-stop (in-process)', () => {
  let orch: OrchestratorHandle;
  let dataDir: string;
  beforeAll(async () => {
    dataDir = await tempDir(cleanups);
    orch = await startOrchestrator({ port: 0, dataDir, workers: 2, defects: ['release-on-failure', 'cancel-without-stop'] }, { logger: silentLogger });
    cleanups.add(() => orch.destroy());
  });

  it('release-on-failure: the dependent of a bead that failed for good runs and succeeds', async () => {
    const failing = { agent: { steps: 1, stepTime: '10ms', failAt: 1, failTimes: 5 } };
    await http(orch.url, 'POST', '/beads', { id: 'root', title: 'root', maxAttempts: 1, input: failing });
    await http(orch.url, 'POST', '/beads', { id: 'child', title: 'child', dependsOn: ['root'], input: { agent: { steps: 1, stepTime: '10ms' } } });
    const { root, child } = await waitForBeads(orch.url, ['root', 'child']);
    expect([root.status, child.status, child.blockedBy]).toEqual(['failed', 'succeeded', undefined]);
  });

  it('cancel-without-stop: the bead is cancelled at once and its agent goes on applying steps', async () => {
    await http(orch.url, 'POST', '/beads', { id: 'runaway', title: 'runaway', input: { agent: { steps: 8, stepTime: '100ms' } } });
    await waitFor('the first step', async () => (await sideEffects(dataDir, 'runaway')).length >= 1);
    const cancelled = await http(orch.url, 'POST', '/beads/runaway/cancel', { reason: 'test' });
    expect(cancelled.body.bead.status).toBe('cancelled');
    const atCancel = (await sideEffects(dataDir, 'runaway')).length;
    await waitFor('steps after the cancel', async () => (await sideEffects(dataDir, 'runaway')).length > atCancel + 1, 10_000);
  });
});

it('position-gap: the log has exactly one global position missing, before a checkpoint of step >= 2', async () => {
  const orch = await startOrchestrator({ port: 0, dataDir: await tempDir(cleanups), workers: 2, defects: ['position-gap'] }, { logger: silentLogger });
  cleanups.add(() => orch.destroy());
  await http(orch.url, 'POST', '/beads', { id: 'holed', title: 'holed', input: { agent: { steps: 3, stepTime: '10ms' } } });
  await waitForBeads(orch.url, ['holed']);
  const events = await allEvents(orch.url);
  const holes = events.filter((e, i) => i > 0 && e.cursor !== events[i - 1]!.cursor + 1);
  expect(holes).toHaveLength(1);
  expect(holes[0]).toMatchObject({ type: 'StepCheckpointed', seq: expect.any(Number) });
  expect(holes[0]?.data.step).toBeGreaterThanOrEqual(2);
  // The stream itself stays gapless: only the global numbering has the hole.
  expect((await allEvents(orch.url, 'bead:holed')).map((e) => e.seq)).toEqual(events.filter((e) => e.stream === 'bead:holed').map((_, i) => i + 1));
});
