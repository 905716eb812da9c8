import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { AttributedCluster, LeakWatchReport } from '../leak/index.ts';
import { loadScenarioFile, loadScenarioText } from '../scenario/index.ts';
import { applyAllowances, clusterSize, leakGates, leakLimits, leakMemorySeries, withoutLeakThresholds, type LeakJournal } from './leak-phase.ts';

const SOAK_FILE = fileURLToPath(new URL('../../scenarios/leak/orchestrator-soak.yaml', import.meta.url));

const cluster = (owner: AttributedCluster['owner'], summary: string): AttributedCluster => ({ owner, summary, steps: [], files: [], leakedRetainedSize: 10 });

function report(clusters: AttributedCluster[]): LeakWatchReport {
  const ours = clusters.filter((c) => c.owner === 'ours').length;
  return {
    series: [],
    snapshots: [],
    problems: [],
    verdict: { ours, dependency: clusters.filter((c) => c.owner === 'dependency').length, nodeInternal: 0, clusters },
    gates: {
      status: ours > 0 ? 'fail' : 'pass',
      samples: 10,
      gates: [
        { name: 'rss.cv', status: 'pass', value: 0.01, threshold: 0.05, message: 'rss ok' },
        { name: 'heap.slope', status: 'pass', value: 1000, threshold: 1e6, message: 'heap ok' },
        { name: 'clusters.ours', status: ours > 0 ? 'fail' : 'pass', value: ours, threshold: 0, message: `${ours} ours` },
      ],
    },
  };
}

describe('leak.allow suppressions', () => {
  const allow = [{ retainer: '[IdempotencyCache] → #records', reason: 'a bounded LRU cache' }];

  it('suppresses matching clusters of ours, counts them, and re-judges the gate', () => {
    const { report: out, allowed } = applyAllowances(
      report([cluster('ours', '[EventWriter] → #cache → [IdempotencyCache] → #records → [Map]'), cluster('dependency', 'x')]),
      allow,
      0,
    );
    expect(out.verdict!.ours).toBe(0);
    expect(out.verdict!.clusters[0]).toMatchObject({ allowed: 'a bounded LRU cache' });
    expect(allowed).toEqual([{ ...allow[0], clusters: 1 }]);
    expect(out.gates.status).toBe('pass');
    expect(out.gates.gates.find((g) => g.name === 'clusters.ours')!.message).toContain('1 allowed (leak.allow');
  });

  it('does not count small clusters below leak.minClusterSize, but keeps them in the report', () => {
    const ourFile = new URL('../../system/runtime/dispatcher.ts', import.meta.url).href;
    const step = (retainedSize: number, file?: string) => ({ name: 'x', type: 'object', id: 1, retainedSize, leaked: false, ...(file ? { file } : {}) });
    // What our code dominates decides, not the representative leaked object (one event of 216 B).
    const small = { ...cluster('ours', '[Histogram] → hashMap'), leakedRetainedSize: 300, steps: [step(9e6), step(16_000, ourFile), step(300)] };
    const big = { ...cluster('ours', '[LeakedEventArchive] → entries'), leakedRetainedSize: 216, steps: [step(30e6), step(19_000_000, ourFile), step(216)] };
    expect([clusterSize(small), clusterSize(big)]).toEqual([16_000, 19_000_000]);
    const { report: out } = applyAllowances(report([small, big]), [], 0, 64_000);
    expect(out.verdict!.ours).toBe(1);
    expect(out.verdict!.clusters[0]).toMatchObject({ allowed: expect.stringMatching(/below leak.minClusterSize/) });
    expect(out.gates.gates.find((g) => g.name === 'clusters.ours')!.message).toContain('first: [LeakedEventArchive] → entries');
  });

  it('leaves a cluster that matches no entry counted, so the gate still fails', () => {
    const { report: out, allowed } = applyAllowances(report([cluster('ours', '[Module] → leaked → [Array]')]), allow, 0);
    expect(out.verdict!.ours).toBe(1);
    expect(out.gates.status).toBe('fail');
    expect(allowed[0]!.clusters).toBe(0);
  });
});

describe('leak thresholds', () => {
  it('reads rss.variance and heap.slope (per second → per minute) from the scenario, and the generic gates skip them', async () => {
    const soak = await loadScenarioFile(SOAK_FILE, { profile: 'full' });
    const limits = leakLimits(soak);
    expect(limits.rssCvMax).toBe(0.05);
    expect(limits.heapSlopeMaxBytesPerMin).toBeCloseTo(500_000, 3); // the full profile: "< 0.5MB/m"
    expect(limits.ourClustersMax).toBe(0);
    expect(Object.keys(withoutLeakThresholds(soak).thresholds)).toEqual(['latency.p99']);
  });

  it('falls back to the seed bars without thresholds, and leaves other kinds alone', () => {
    const chaos = loadScenarioText(
      'name: x\nkind: chaos\nworkload: [{ beads: 1 }]\nfaults: [{ at: 1s, do: db.reset }]\nthresholds: { rss.variance: "< 7%" }\n',
      'x.yaml',
    );
    expect(withoutLeakThresholds(chaos)).toBe(chaos);
    const bare = loadScenarioText('name: y\nkind: leak\nworkload: [{ beads: 1 }]\n', 'y.yaml');
    expect(leakLimits(bare)).toEqual({ rssCvMax: 0.1, heapSlopeMaxBytesPerMin: 1024 * 1024, ourClustersMax: 0 });
  });

  it('refuses a leak section outside the leak lane', () => {
    expect(() => loadScenarioText('name: z\nkind: integration\nworkload: [{ beads: 1 }]\nleak: { warmup: 5s }\n', 'z.yaml')).toThrow(
      /leak section needs kind: leak/,
    );
  });
});

describe('leak gates and chart series', () => {
  const journal: LeakJournal = {
    config: { warmupMs: 0, sampleEveryMs: 1000, durationMs: 1000, snapshots: false, rssCvMax: 0.05, heapSlopeMaxBytesPerMin: 1e6, ourClustersMax: 0 },
    offsetMs: 5,
    series: [
      { t: 0, rssBytes: 100, heapUsedBytes: 50, cpuSeconds: 0, workersRssBytes: 0, workers: [] },
      { t: 1000, rssBytes: 110, heapUsedBytes: null, cpuSeconds: 0, workersRssBytes: 0, workers: [] },
    ],
    gates: {
      status: 'inconclusive',
      samples: 2,
      gates: [
        { name: 'rss.cv', status: 'inconclusive', value: null, threshold: 0.05, message: 'rss.cv: only 2 samples' },
        { name: 'heap.slope', status: 'fail', value: 9e6, threshold: 1e6, message: 'heap grows' },
        { name: 'clusters.ours', status: 'pass', value: 0, threshold: 0, message: 'none' },
      ],
    },
    snapshots: [],
    allowed: [],
    problems: [],
  };

  it('turns leak gates into run gates; inconclusive never passes', async () => {
    const soak = await loadScenarioFile(SOAK_FILE, { profile: 'ci' });
    const gates = leakGates(journal, soak);
    expect(gates.map((g) => [g.name, g.pass])).toEqual([
      ['rss.variance', false],
      ['heap.slope', false],
      ['leak.clusters.ours', true],
    ]);
    expect(gates[0]!.actual).toMatch(/^inconclusive: /);
    expect(gates[1]!.expected).toBe('|heap.slope| < 4MB/m after warm-up');
  });

  it('maps samples onto the scenario clock for the memory chart', () => {
    expect(leakMemorySeries(journal)).toEqual([
      { t: 5, rss: 100, heap: 50 },
      { t: 1005, rss: 110 },
    ]);
  });
});
