/**
 * Execution end to end, in-process: a real orchestrator (embedded SurrealDB, 4 real worker
 * processes, the real REST API on port 0) driven over HTTP. One orchestrator for the file (start-up
 * costs seconds on 2 cores); every test uses its own bead ids.
 */
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from './log.ts';
import { startOrchestrator, type OrchestratorHandle } from './orchestrator.ts';
import { Cleanups, allEvents, http, illegalTransitions, sideEffects, tempDir, waitFor, waitForBeads, type EventReply } from './test-helpers.ts';

const cleanups = new Cleanups();
let orch: OrchestratorHandle;
let base: string;
let dataDir: string;

beforeAll(async () => {
  dataDir = await tempDir(cleanups);
  orch = await startOrchestrator({ port: 0, dataDir, workers: 4, reconcileTickMs: 200, admin: true }, { logger: silentLogger });
  cleanups.add(() => orch.destroy());
  base = orch.url;
});
afterAll(() => cleanups.run());

const bead = (id: string, agent: Record<string, unknown> = {}, extra: Record<string, unknown> = {}) => ({
  id,
  title: `bead ${id}`,
  input: { agent: { steps: 3, stepTime: '20ms', ...agent } },
  ...extra,
});

/** The TCP port `pid` listens on (Linux /proc): its socket inodes matched against /proc/net/tcp. */
function listeningPort(pid: number): number {
  const inodes = new Set(
    readdirSync(`/proc/${pid}/fd`).map((fd) => {
      try {
        return /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`))?.[1];
      } catch {
        return undefined;
      }
    }),
  );
  for (const line of readFileSync('/proc/net/tcp', 'utf8').split('\n').slice(1)) {
    const cols = line.trim().split(/\s+/);
    if (cols[3] === '0A' && inodes.has(cols[9])) return parseInt(cols[1]!.split(':')[1]!, 16);
  }
  throw new Error(`no listening socket for pid ${pid}`);
}

/** Events of one bead's stream, in order. */
const streamOf = (id: string) => allEvents(base, `bead:${id}`);
const types = (events: EventReply[]): string[] => events.map((e) => e.type);

describe('the happy path', () => {
  it('runs a single bead: submitted, queued, started, one checkpoint per step, succeeded once', async () => {
    const submit = await http(base, 'POST', '/beads', bead('single', { steps: 3 }));
    expect(submit.status).toBe(201);
    expect(submit.headers.get('location')).toBe('/beads/single');
    const { single } = await waitForBeads(base, ['single']);
    expect(single).toMatchObject({ status: 'succeeded', attempts: 1, lastCheckpointStep: 3 });
    expect(single.result.executedSteps).toEqual([1, 2, 3]);
    expect(types(await streamOf('single'))).toEqual([
      'BeadSubmitted',
      'BeadQueued',
      'BeadStarted',
      'StepCheckpointed',
      'StepCheckpointed',
      'StepCheckpointed',
      'BeadSucceeded',
    ]);
    expect((await sideEffects(dataDir, 'single')).map((r) => r.step)).toEqual([1, 2, 3]);
  });

  it('runs a 3-bead chain in dependency order', async () => {
    const reply = await http(base, 'POST', '/beads', {
      workflow: { id: 'chain', beads: [bead('chain-c', {}, { dependsOn: ['chain-b'] }), bead('chain-a'), bead('chain-b', {}, { dependsOn: ['chain-a'] })] },
    });
    expect(reply.status).toBe(201);
    expect(reply.body.workflowId).toBe('chain');
    await waitForBeads(base, ['chain-a', 'chain-b', 'chain-c']);
    const log = await allEvents(base);
    const at = (id: string, type: string) => log.find((e) => e.stream === `bead:${id}` && e.type === type)!.cursor;
    expect(at('chain-a', 'BeadSucceeded')).toBeLessThan(at('chain-b', 'BeadStarted'));
    expect(at('chain-b', 'BeadSucceeded')).toBeLessThan(at('chain-c', 'BeadStarted'));
    // The workflow's end is recorded right after its last bead's.
    expect(
      await waitFor('WorkflowSucceeded', async () => {
        const t = types(await allEvents(base, 'workflow:chain'));
        return t.length === 2 ? t : undefined;
      }),
    ).toEqual(['WorkflowSubmitted', 'WorkflowSucceeded']);
  });

  it('runs a diamond: the join starts only after both branches succeeded', async () => {
    await http(base, 'POST', '/beads', {
      workflow: {
        id: 'diamond',
        beads: [
          bead('d-top'),
          bead('d-left', {}, { dependsOn: ['d-top'] }),
          bead('d-right', {}, { dependsOn: ['d-top'] }),
          bead('d-join', {}, { dependsOn: ['d-left', 'd-right'] }),
        ],
      },
    });
    const views = await waitForBeads(base, ['d-top', 'd-left', 'd-right', 'd-join']);
    expect(Object.values(views).every((v) => v.status === 'succeeded')).toBe(true);
    const log = await allEvents(base);
    const at = (id: string, type: string) => log.find((e) => e.stream === `bead:${id}` && e.type === type)!.cursor;
    expect(Math.max(at('d-left', 'BeadSucceeded'), at('d-right', 'BeadSucceeded'))).toBeLessThan(at('d-join', 'BeadStarted'));
  });

  it('runs 8 diamonds at once and the log is legal: every BeadStarted after its BeadQueued', async () => {
    // A real diamond run once logged a dependent's BeadStarted before its BeadQueued.
    const ids: string[] = [];
    await Promise.all(
      Array.from({ length: 8 }, (_, i) => {
        const [t, l, r, j] = ['top', 'left', 'right', 'join'].map((n) => `dd${i}-${n}`) as [string, string, string, string];
        ids.push(t, l, r, j);
        const quick = { steps: 2, stepTime: '5ms' };
        return http(base, 'POST', '/beads', {
          workflow: {
            id: `dd${i}`,
            beads: [bead(t, quick), bead(l, quick, { dependsOn: [t] }), bead(r, quick, { dependsOn: [t] }), bead(j, quick, { dependsOn: [l, r] })],
          },
        });
      }),
    );
    const views = await waitForBeads(base, ids);
    expect(ids.filter((id) => views[id]?.status !== 'succeeded')).toEqual([]);
    const log = (await allEvents(base)).filter((e) => ids.some((id) => e.stream === `bead:${id}`));
    expect(illegalTransitions(log)).toEqual([]);
  });

  it('runs 10 concurrent beads on 4 workers, each exactly once', async () => {
    const ids = Array.from({ length: 10 }, (_, i) => `conc-${i}`);
    const replies = await Promise.all(ids.map((id) => http(base, 'POST', '/beads', bead(id, { steps: 2, stepTime: '50ms' }))));
    expect(replies.map((r) => r.status)).toEqual(ids.map(() => 201));
    const views = await waitForBeads(base, ids);
    expect(ids.map((id) => views[id]?.status)).toEqual(ids.map(() => 'succeeded'));
    for (const id of ids) expect(types(await streamOf(id)).filter((t) => t === 'BeadSucceeded')).toHaveLength(1);
    const effects = await sideEffects(dataDir);
    for (const id of ids)
      expect(
        effects
          .filter((r) => r.beadId === id)
          .map((r) => r.step)
          .sort(),
      ).toEqual([1, 2]);
  });

  it('records a big agent payload by size and digest (events stay small)', async () => {
    await http(base, 'POST', '/beads', bead('big', { steps: 1, payloadBytes: 300_000 }));
    const { big } = await waitForBeads(base, ['big']);
    expect(big.status).toBe('succeeded');
    expect(big.result).toMatchObject({ payloadBytes: 300_000, payloadSha256: expect.stringMatching(/^[0-9a-f]{64}$/) });
    expect(big.result.payload).toBeUndefined();
  });

  it('treats a resubmission as the same bead (client id, Idempotency-Key), and refuses the key for another body', async () => {
    const first = await http(base, 'POST', '/beads', bead('idem'));
    const again = await http(base, 'POST', '/beads', bead('idem'));
    expect([first.status, again.status]).toEqual([201, 200]);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    const keyed = await http(base, 'POST', '/beads', { title: 'no id', input: { agent: { steps: 1 } } }, { 'idempotency-key': 'k-1' });
    const keyedAgain = await http(base, 'POST', '/beads', { title: 'no id', input: { agent: { steps: 1 } } }, { 'idempotency-key': 'k-1' });
    expect([keyed.status, keyedAgain.status]).toEqual([201, 200]);
    expect(keyedAgain.body.beads[0].id).toBe(keyed.body.beads[0].id);
    const other = await http(base, 'POST', '/beads', { title: 'other body' }, { 'idempotency-key': 'k-1' });
    expect(other.status).toBe(409);
    expect(other.body.error.code).toBe('ORCH_API_IDEMPOTENCY_MISMATCH');
    await waitForBeads(base, ['idem', keyed.body.beads[0].id]);
    const log = await allEvents(base);
    expect(log.filter((e) => e.type === 'BeadSubmitted' && (e.stream === 'bead:idem' || e.stream === `bead:${keyed.body.beads[0].id}`))).toHaveLength(2);
  });
});

describe('failures, retries, timeouts, cancellation', () => {
  it('fails a bead with a non-retryable error and records its dependents as blocked', async () => {
    await http(base, 'POST', '/beads', {
      workflow: {
        id: 'wf-fail',
        beads: [
          bead('f-root', { failAt: 2, failRetryable: false }),
          bead('f-child', {}, { dependsOn: ['f-root'] }),
          bead('f-grandchild', {}, { dependsOn: ['f-child'] }),
        ],
      },
    });
    const views = await waitForBeads(base, ['f-root', 'f-child', 'f-grandchild']);
    expect(views['f-root']).toMatchObject({ status: 'failed', attempts: 1, error: { code: 'AgentStepFailed' } });
    expect(views['f-child']).toMatchObject({ status: 'failed', attempts: 0, blockedBy: 'f-root' });
    expect(views['f-grandchild']).toMatchObject({ status: 'failed', blockedBy: 'f-root' });
    expect(
      await waitFor('WorkflowFailed', async () => {
        const t = types(await allEvents(base, 'workflow:wf-fail'));
        return t.length === 2 ? t : undefined;
      }),
    ).toEqual(['WorkflowSubmitted', 'WorkflowFailed']);
  });

  it('retries a retryable failure and succeeds from the last checkpoint', async () => {
    await http(base, 'POST', '/beads', bead('retry', { steps: 4, failAt: 3, failTimes: 1 }));
    const { retry } = await waitForBeads(base, ['retry']);
    expect(retry).toMatchObject({ status: 'succeeded', attempts: 2 });
    expect(retry.result.executedSteps).toEqual([3, 4]);
    expect(types(await streamOf('retry'))).toContain('BeadRetryScheduled');
    expect((await sideEffects(dataDir, 'retry')).map((r) => r.step)).toEqual([1, 2, 3, 4]);
  });

  it('fails a bead that runs past its timeout', async () => {
    await http(base, 'POST', '/beads', bead('slow', { hangAt: 2 }, { timeoutMs: 500 }));
    const { slow } = await waitForBeads(base, ['slow']);
    expect(slow).toMatchObject({ status: 'failed', error: { code: 'BeadTimeout' } });
  });

  it('cancels a queued bead (and its dependent) and a running one (its agent stops)', async () => {
    await http(base, 'POST', '/beads', bead('c-run', { steps: 100, stepTime: '50ms' }));
    await http(base, 'POST', '/beads', bead('c-wait', {}, { dependsOn: ['c-run'] }));
    await http(base, 'POST', '/beads', bead('c-after', {}, { dependsOn: ['c-wait'] }));
    await waitFor('c-run to checkpoint', async () => ((await http(base, 'GET', '/beads/c-run')).body.bead.lastCheckpointStep ?? 0) >= 1);
    const queued = await http(base, 'POST', '/beads/c-wait/cancel', { reason: 'test' });
    expect(queued.status).toBe(200);
    expect(queued.body.bead.status).toBe('cancelled');
    expect((await http(base, 'GET', '/beads/c-after')).body.bead).toMatchObject({ status: 'cancelled', blockedBy: 'c-wait' });
    const running = await http(base, 'POST', '/beads/c-run/cancel', {});
    expect(running.body.bead.status).toBe('cancelled');
    const applied = (await sideEffects(dataDir, 'c-run')).length;
    await new Promise((r) => setTimeout(r, 300));
    expect((await sideEffects(dataDir, 'c-run')).length).toBe(applied);
    expect(applied).toBeLessThan(100);
    const again = await http(base, 'POST', '/beads/c-run/cancel', {});
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('ORCH_API_BEAD_FINISHED');
  });
});

describe('cancelling a bead whose worker does not answer', () => {
  it('stops the worker (SIGTERM, then SIGKILL) and records the bead cancelled', async () => {
    await http(base, 'POST', '/beads', bead('c-frozen', { steps: 50, stepTime: '60ms' }));
    const first = await waitFor('a side effect', async () => (await sideEffects(dataDir, 'c-frozen'))[0]);
    process.kill(first.pid, 'SIGSTOP');
    try {
      await http(base, 'POST', '/beads/c-frozen/cancel', {});
      const { 'c-frozen': view } = await waitForBeads(base, ['c-frozen'], 30_000);
      expect(view.status).toBe('cancelled');
      await waitFor(
        'the frozen worker to be gone',
        () => {
          try {
            process.kill(first.pid, 0);
            return false;
          } catch {
            return true;
          }
        },
        15_000,
      );
    } finally {
      try {
        process.kill(first.pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
  });
});

describe('crash recovery inside one orchestrator', () => {
  it('resumes a bead from its checkpoint on another worker when its worker is SIGKILLed', async () => {
    await http(base, 'POST', '/beads', bead('wkill', { steps: 12, stepTime: '60ms' }));
    const first = await waitFor('two side effects', async () => {
      const records = await sideEffects(dataDir, 'wkill');
      return records.length >= 2 ? records : undefined;
    });
    process.kill(first[0]!.pid, 'SIGKILL');
    const { wkill } = await waitForBeads(base, ['wkill']);
    expect(wkill.status).toBe('succeeded');
    expect(wkill.attempts).toBeGreaterThanOrEqual(2);
    const events = await streamOf('wkill');
    expect(types(events)).toContain('BeadWorkerLost');
    const resumed = events.filter((e) => e.type === 'BeadStarted')[1]!;
    // Step 2's side effect is applied before its checkpoint is recorded: the resume point is 1 or 2.
    expect(resumed.data.fromStep).toBeGreaterThanOrEqual(1);
    // At most the one step in flight at the kill may have been applied twice.
    const steps = (await sideEffects(dataDir, 'wkill')).map((r) => r.step);
    expect(steps.length - new Set(steps).size).toBeLessThanOrEqual(1);
    expect(new Set(steps).size).toBe(12);
  });

  it('resumes a bead whose worker froze (SIGSTOP): no events, no heartbeats → lost → resumed elsewhere', async () => {
    await http(base, 'POST', '/beads', bead('frozen', { steps: 10, stepTime: '60ms' }));
    const first = await waitFor('a side effect', async () => (await sideEffects(dataDir, 'frozen'))[0]);
    process.kill(first.pid, 'SIGSTOP');
    try {
      const { frozen } = await waitForBeads(base, ['frozen'], 30_000);
      expect(frozen.status).toBe('succeeded');
      const events = await streamOf('frozen');
      expect(events.find((e) => e.type === 'BeadWorkerLost')).toBeDefined();
      expect(new Set((await sideEffects(dataDir, 'frozen')).map((r) => r.step)).size).toBe(10);
    } finally {
      // It was SIGKILLed as lost; if not, do not leave a stopped process behind.
      try {
        process.kill(first.pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
  });

  it('keeps going while /admin kills runners, the dispatcher, the reconciler and the log actor', async () => {
    const auth = { authorization: `Bearer ${orch.adminToken}` };
    const ids = Array.from({ length: 6 }, (_, i) => `chaos-${i}`);
    await Promise.all(ids.map((id) => http(base, 'POST', '/beads', bead(id, { steps: 6, stepTime: '50ms' }))));
    await new Promise((r) => setTimeout(r, 150));
    for (const path of ['universe/workers/runner-0', 'universe/scheduling/dispatcher', 'universe/storage/log', 'universe/scheduling/reconciler']) {
      expect((await http(base, 'POST', '/admin/actors/kill', { path }, auth)).status).toBe(200);
    }
    const random = await http(base, 'POST', '/admin/actors/kill', { random: 2, seed: 7 }, auth);
    expect(random.body.killed).toHaveLength(2);
    const views = await waitForBeads(base, ids);
    expect(ids.map((id) => views[id]?.status)).toEqual(ids.map(() => 'succeeded'));
    for (const id of ids) expect(types(await streamOf(id)).filter((t) => t === 'BeadSucceeded')).toHaveLength(1);
    const actors = await http(base, 'GET', '/admin/actors', undefined, auth);
    expect(actors.body.actors.find((a) => a.path === 'universe/workers/runner-0')?.restarts).toBeGreaterThanOrEqual(1);
    expect((await http(base, 'GET', '/admin/actors/kill', undefined, {})).status).toBe(401);
  });

  it('stops a worker that runs a session no attempt owns (orphan), counted as a correction', async () => {
    await http(base, 'POST', '/beads', bead('orphan-probe', { steps: 1 }));
    const probe = await waitFor('a side effect', async () => (await sideEffects(dataDir, 'orphan-probe'))[0]);
    await waitForBeads(base, ['orphan-probe']);
    // Talk to that (now idle, pooled) worker behind the orchestrator's back: a run nobody owns.
    const workerUrl = `http://127.0.0.1:${listeningPort(probe.pid)}`;
    const session = await http(workerUrl, 'POST', '/session', {});
    const stray = { beadId: 'stray', seed: 1, input: { steps: 1000, stepTime: '50ms' } };
    const prompt = await http(workerUrl, 'POST', `/session/${session.body.id}/prompt_async`, stray);
    expect(prompt.status).toBe(204);
    await waitFor(
      'the orphan worker to be stopped',
      () => {
        try {
          process.kill(probe.pid, 0);
          return false;
        } catch {
          return true;
        }
      },
      15_000,
    );
    expect((await http(base, 'GET', '/metrics')).body).toMatch(/oya_reconciler_corrections_total\{kind="orphan_worker"\} 1/);
  });

  it('reports health and metrics', async () => {
    // Workers lost to the tests above respawn; then every component is ok again.
    const health = await waitFor(
      'health 200',
      async () => {
        const reply = await http(base, 'GET', '/health');
        return reply.status === 200 ? reply : undefined;
      },
      30_000,
    );
    expect(Object.keys(health.body.components).sort()).toEqual(['db', 'outbox', 'pool', 'reconciler', 'supervisors']);
    const metrics = await http(base, 'GET', '/metrics');
    expect(metrics.body).toMatch(/oya_beads_succeeded_total \d+/);
    expect(metrics.body).toMatch(/oya_reconciler_corrections_total\{kind="worker_exited"\} [1-9]/);
    expect(metrics.body).toMatch(/oya_worker_deaths_total\{reason="exit"\} [1-9]/);
    expect(metrics.body).toMatch(/oya_event_append_duration_seconds_count\{status="committed"\} [1-9]/);
    // Only the deliberate orphan above was corrected: no false positives.
    expect(metrics.body).toMatch(/oya_reconciler_corrections_total\{kind="orphan_worker"\} 1\n/);
  });
});

describe('graceful close (last: it stops the shared orchestrator)', () => {
  it('refuses new work with 503 while draining, records in-flight beads as queued, and closes', async () => {
    await http(base, 'POST', '/beads', bead('at-close', { steps: 100, stepTime: '50ms' }));
    await waitFor('at-close to run', async () => ((await http(base, 'GET', '/beads/at-close')).body.bead.lastCheckpointStep ?? 0) >= 1);
    const closing = orch.close();
    expect(orch.state).toBe('draining');
    const refused = await http(base, 'POST', '/beads', bead('too-late'));
    expect(refused.status).toBe(503);
    expect(refused.body.error.code).toBe('ORCH_API_SHUTTING_DOWN');
    await closing;
    expect(orch.state).toBe('stopped');
    await orch.close(); // idempotent
    await expect(fetch(`${base}/health`)).rejects.toThrow();
  });
});
