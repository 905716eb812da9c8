/**
 * The load metrics of the metrics phase (fairness, CPU/RSS/progress sampling, the load summary)
 * and regression gating against a baseline journal — with real histograms, a real HTTP server
 * for /metrics and this process's own /proc entry.
 */
import { createServer } from 'node:http';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { EventRecord } from '../../system/events/index.ts';
import { History } from '../history/index.ts';
import { journalWithRun, spread } from '../report/compare/runs.test-helper.ts';
import { loadScenarioFile, parseThreshold } from '../scenario/index.ts';
import { ApiClient } from './api-client.ts';
import { baselineGates, cpuMsPerBead, fairnessOf, FAIRNESS_FLOOR_MS, measure, metricValue, promSum, startMemorySampler, type Measured } from './measure.ts';
import { planWorkload } from './plan.ts';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'oya-measure-'));
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

/** Loads a scenario written to a temp file (the real loader, defaults and all). */
async function scenarioOf(yaml: string) {
  const file = join(await tempDir(), 'scenario.yaml');
  await writeFile(file, yaml);
  return loadScenarioFile(file);
}

describe('fairnessOf', () => {
  it('is 1 when every workflow waits the same, and names the worst one when one is starved', () => {
    const even = fairnessOf(
      ['a', 'b', 'c'].flatMap((w) => [
        { workflow: w, ms: 100 },
        { workflow: w, ms: 300 },
      ]),
    );
    expect(even).toMatchObject({ workflows: 3, medianMeanWaitMs: 200, maxMeanWaitMs: 200, ratio: 1 });
    const starved = fairnessOf([
      { workflow: 'a', ms: 100 },
      { workflow: 'b', ms: 120 },
      { workflow: 'c', ms: 110 },
      { workflow: 'd', ms: 5_000 },
    ]);
    expect(starved.worstWorkflow).toBe('d');
    expect(starved.ratio).toBeCloseTo(5_000 / 115, 2);
  });

  it('floors the median, so millisecond waits on an idle pool are not unfair; NaN with one workflow', () => {
    expect(
      fairnessOf([
        { workflow: 'a', ms: 1 },
        { workflow: 'b', ms: 8 },
      ]).ratio,
    ).toBeCloseTo(8 / FAIRNESS_FLOOR_MS, 5);
    expect(fairnessOf([{ workflow: 'a', ms: 50 }]).ratio).toBeNaN();
    expect(fairnessOf([]).workflows).toBe(0);
  });

  it('is gated as fairness.max only', () => {
    expect(parseThreshold('fairness.max', '< 1.5')).toMatchObject({ metric: 'fairness', stat: 'max', limit: 1.5 });
    expect(() => parseThreshold('fairness.p99', '< 2')).toThrow(/fairness takes max/);
  });
});

describe('measure (load)', () => {
  it('groups dispatch waits by phase when several phases run side by side, and gates fairness.max on them', async () => {
    const scenario = await scenarioOf(`
name: fair
kind: load
system: { agent: { steps: 1, stepTime: 100ms } }
workload:
  - { name: alpha, workflow: { name: alpha, beads: [{ id: x }, { id: y }] }, count: 2 }
  - { name: beta, start: 0ms, workflow: { name: beta, beads: [{ id: x }, { id: y }] }, count: 2 }
`);
    const plan = planWorkload(scenario);
    const t0Wall = Date.parse('2026-01-01T00:00:00Z');
    const iso = (ms: number) => new Date(t0Wall + ms).toISOString();
    let position = 0;
    // alpha's beads start 10 ms after they are queued, beta's 400 ms after: beta is starved.
    const events: EventRecord[] = plan.beadIds.flatMap((id, i) => {
      const wait = id.startsWith('alpha') ? 10 : 400;
      const queued = 5 + i;
      return (['BeadQueued', 'BeadStarted', 'BeadSucceeded'] as const).map((type, k) => ({
        stream: `bead:${id}`,
        seq: k + 1,
        position: ++position,
        type,
        data: {},
        idempotencyKey: `${id}:${type}`,
        at: iso([queued, queued + wait, queued + wait + 100][k]!),
      }));
    });
    const m = measure({
      events,
      history: new History(),
      plan,
      faults: [],
      workload: undefined,
      memory: [
        { t: 0, rss: 100, cpu: 0.5 },
        { t: 1000, rss: 300, cpu: 1.5 },
      ],
      t0Wall,
      endAt: 2_000,
    });
    expect(m.json.load.fairness).toMatchObject({ workflows: 2, worstWorkflow: 'beta', maxMeanWaitMs: 400 });
    expect(metricValue(m, parseThreshold('fairness.max', '< 2'))).toBeCloseTo(400 / 205, 3);
    expect(m.json.load.cpu).toEqual({ mean: 1, max: 1.5, samples: 2 });
    expect(m.json.load.rss).toEqual({ max: 300, last: 300 });
    expect(m.json.load.beadsPerMinute).toBeGreaterThan(0);
  });
});

describe('measure (completion clock)', () => {
  it('ends latency when the tail read the outcome, puts the bead in the fault window by that time, and counts stamp fallbacks', async () => {
    const scenario = await scenarioOf(`
name: slow-db
kind: chaos
system: { agent: { steps: 1, stepTime: 100ms } }
workload:
  - { name: steady, beads: 3, rate: 10/s }
faults:
  - { at: 150ms, do: db.latency, for: 1s, latency: 500ms }
`);
    const plan = planWorkload(scenario);
    const t0Wall = Date.parse('2026-01-01T00:00:00Z');
    const iso = (ms: number) => new Date(t0Wall + ms).toISOString();
    const [a, b] = plan.beadIds as [string, string];
    // Each bead's success is stamped 100 ms after it was sent; the DB makes b's commit 600 ms late.
    const events: EventRecord[] = plan.beadIds.map((id, i) => ({
      stream: `bead:${id}`,
      seq: 1,
      position: i + 1,
      type: 'BeadSucceeded',
      data: {},
      idempotencyKey: `${id}:done`,
      at: iso(i * 100 + 100),
    }));
    const m = measure({
      events,
      observed: {
        succeededSeen: new Map([
          [a, 103],
          [b, 800],
        ]),
        stats: { pages: 4, events: 3, slowestPageMs: 7, retries: 1 },
      },
      history: new History(),
      plan,
      faults: [{ index: 0, do: 'db.latency', spec: scenario.faults[0]!, plannedAt: 150, startedAt: 150, healedAt: 1150, acts: [], details: {} }],
      workload: undefined,
      memory: [],
      t0Wall,
      endAt: 2_000,
    });
    expect([...m.latency.all].sort((x, y) => x - y)).toEqual([100, 103, 700]);
    // Stamped at 200 ms (inside the fault too) and read at 800: b counts in the fault window by its read.
    expect(m.latency.fault).toContain(700);
    expect(m.latency.baseline).toEqual([103]);
    expect(m.json.load.completionClock).toEqual({
      observed: 2,
      stamped: 1,
      lagMs: { p50: 3, p99: 600, max: 600 },
      tail: { pages: 4, events: 3, slowestPageMs: 7, retries: 1 },
    });
  });
});

describe('cpuMsPerBead', () => {
  const cpu = (s: { cpuSeconds?: number }) => s.cpuSeconds;
  const pid = (s: { pid?: number }) => s.pid;

  it('divides the CPU gained between samples by the beads finished meanwhile', () => {
    const samples = [
      { t: 0, pid: 1, cpuSeconds: 2, done: 0 },
      { t: 1000, pid: 1, cpuSeconds: 2.5, done: 100 },
      { t: 2000, pid: 1, cpuSeconds: 3.5, done: 400 },
    ];
    // 1.5 s over 400 beads; the 2 s of start-up before the first sample are not counted.
    expect(cpuMsPerBead(samples, cpu, pid)).toBe(3.75);
  });

  it('counts no interval across a restart (new pid) and no fall of a reading (a worker exited)', () => {
    const samples = [
      { t: 0, pid: 1, cpuSeconds: 1, done: 0 },
      { t: 1000, pid: 1, cpuSeconds: 2, done: 100 },
      { t: 2000, pid: 2, cpuSeconds: 0.5, done: 10 },
      { t: 3000, pid: 2, cpuSeconds: 0.2, done: 110 },
    ];
    // Only 0 -> 1000 (1 s over 100) and 2000 -> 3000 (a fall: no CPU, 100 beads).
    expect(cpuMsPerBead(samples, cpu, pid)).toBe(5);
  });

  it('is undefined when no interval saw a bead finish or a reading is missing', () => {
    expect(
      cpuMsPerBead(
        [
          { t: 0, pid: 1, cpuSeconds: 1, done: 5 },
          { t: 1, pid: 1, cpuSeconds: 2, done: 5 },
        ],
        cpu,
        pid,
      ),
    ).toBeUndefined();
    expect(
      cpuMsPerBead(
        [
          { t: 0, pid: 1, done: 0 },
          { t: 1, pid: 1, done: 5 },
        ],
        cpu,
        pid,
      ),
    ).toBeUndefined();
  });
});

describe('startMemorySampler', () => {
  it('reads CPU and RSS from /proc and beads done and event appends from /metrics, every period', async () => {
    const body = [
      'oya_process_resident_memory_bytes 123456',
      'oya_process_nodejs_heap_size_used_bytes 4567',
      'oya_beads_succeeded_total 7',
      'oya_beads_failed_total 2',
      'oya_beads_cancelled_total 1',
      'oya_event_append_duration_seconds_count{status="committed"} 30',
      'oya_event_append_duration_seconds_count{status="outboxed"} 10',
      'oya_event_append_duration_seconds_sum{status="committed"} 0.3',
      'oya_event_append_duration_seconds_sum{status="outboxed"} 0.1',
    ].join('\n');
    const server = createServer((_req, res) => res.end(body));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    cleanups.push(() => new Promise<void>((resolve) => server.close(() => resolve())));
    const { port } = server.address() as { port: number };
    const api = new ApiClient({ baseUrl: () => `http://127.0.0.1:${port}` });
    cleanups.push(() => api.destroy());
    const seen: number[] = [];
    const sampler = startMemorySampler(api, () => performance.now(), 100, {
      pid: () => process.pid,
      dbPid: () => process.pid,
      onSample: (s) => seen.push(s.done ?? -1),
    });
    cleanups.push(() => sampler.stop());
    // Burn some CPU so the rate between two samples is above zero.
    const until = performance.now() + 400;
    while (performance.now() < until) Math.sqrt(Math.random());
    await new Promise((r) => setTimeout(r, 300));
    await sampler.stop();
    const last = sampler.samples.at(-1)!;
    expect(sampler.samples.length).toBeGreaterThanOrEqual(2);
    expect(last).toMatchObject({ rss: 123456, heap: 4567, done: 10, failed: 2, appends: 40 });
    expect(last.appendSeconds).toBeCloseTo(0.4, 6);
    expect(last.cpuSeconds).toBeGreaterThan(0);
    expect(sampler.samples.some((s) => (s.cpu ?? 0) > 0)).toBe(true);
    // This process stands in for the DB server; the machine was at least as busy as it was.
    expect(sampler.samples.some((s) => (s.dbCpu ?? 0) > 0)).toBe(true);
    expect(last.dbCpuSeconds).toBeGreaterThan(0);
    expect(last.dbPid).toBe(process.pid);
    // The children of this process (none of them a worker) are read too: a number, 0 or more.
    expect(last.workersCpuSeconds).toBeGreaterThanOrEqual(0);
    expect(sampler.samples.some((s) => (s.machineCpu ?? 0) > 0)).toBe(true);
    expect(seen.every((d) => d === 10)).toBe(true);
    expect(promSum(body, 'oya_event_append_duration_seconds_count')).toBe(40);
  });
});

describe('baselineGates', () => {
  it('gates a run against the baseline journal its scenario names: within the rule passes, past it fails', async () => {
    const dir = await tempDir();
    const baselineFile = join(dir, 'baseline.json');
    await writeFile(baselineFile, JSON.stringify(journalWithRun({ latenciesMs: spread(200, 100, 1_000) })));
    const scenario = await scenarioOf(`
name: gated
kind: load
workload: [{ beads: 1 }]
baseline:
  file: ${baselineFile}
  rules:
    latency.p99: "+10%"
    throughput.mean: "-5%"
`);
    const same = journalWithRun({ latenciesMs: spread(200, 100, 1_050) }).metrics as Measured['json'];
    const slower = journalWithRun({ latenciesMs: spread(200, 100, 1_500) }).metrics as Measured['json'];
    const ok = await baselineGates(scenario, { json: same });
    expect(ok.map((g) => [g.name, g.pass])).toEqual([
      ['regression.latency.p99', true],
      ['regression.throughput.mean', true],
    ]);
    const bad = await baselineGates(scenario, { json: slower });
    expect(bad[0]).toMatchObject({ kind: 'regression', name: 'regression.latency.p99', pass: false });
    expect(bad[0]!.actual).toMatch(/^1\.\d+s \(\+\d+(\.\d)?%\)$/);
  });

  it('fails every rule (without erroring) when the baseline file is missing, and adds nothing without a baseline', async () => {
    const scenario = await scenarioOf(`
name: gated
kind: load
workload: [{ beads: 1 }]
baseline: { file: /nonexistent/oya-baseline.json, rules: { overhead.p99: "+50ms" } }
`);
    const current = journalWithRun({ latenciesMs: [100] }).metrics as Measured['json'];
    const gates = await baselineGates(scenario, { json: current });
    expect(gates).toHaveLength(1);
    expect(gates[0]).toMatchObject({ pass: false, actual: expect.stringMatching(/^no baseline: .*no such file/) });
    expect(await baselineGates(await scenarioOf('name: plain\nkind: load\nworkload: [{ beads: 1 }]\n'), { json: current })).toEqual([]);
  });

  it('refuses a malformed rule at load, naming the key', async () => {
    await expect(scenarioOf('name: bad\nkind: load\nworkload: [{ beads: 1 }]\nbaseline: { file: b.json, rules: { latency.p99: "10%" } }\n')).rejects.toThrow(
      /scenario\.yaml:4:\d+ baseline\.rules\["latency\.p99"\]: regression rule latency\.p99: "10%" is invalid/,
    );
  });
});
