import { mkdtemp, mkdir, readFile, rm, writeFile, readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { formatMicros, formatMillis, escapeHtml } from './format.ts';
import { buildJournal } from './journal-fixture.test-helper.ts';
import { toJournalView } from './journal-view.ts';
import { renderIndexPage } from './index-page.ts';
import { memorySegments, renderScenarioPage } from './scenario-page.ts';
import { writeReports } from './write-reports.ts';

const EVIL = `<script>alert(1)</script><img src=x onerror=alert(2)>"'&`;

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()!();
});
async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'oya-html-'));
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

describe('formatting', () => {
  it('writes durations with the unit a person would pick', () => {
    expect(formatMicros(420)).toBe('0.42 ms');
    expect(formatMicros(842_000)).toBe('842 ms');
    expect(formatMicros(1_234_000)).toBe('1.23 s');
    expect(formatMillis(150_000)).toBe('2.5 min');
    expect(formatMicros(undefined)).toBe('–');
  });

  it('escapes the five HTML-significant characters', () => {
    expect(escapeHtml(`<a href="x">'&'</a>`)).toBe('&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;');
  });
});

describe('renderScenarioPage', () => {
  const journal = buildJournal();
  const page = renderScenarioPage(journal);

  it('puts the verdict and the gates before everything else, failed gates marked', () => {
    expect(page.indexOf('badge fail big')).toBeGreaterThan(0);
    expect(page.indexOf('id="gates"')).toBeLessThan(page.indexOf('id="percentiles"'));
    expect(page.indexOf('id="percentiles"')).toBeLessThan(page.indexOf('id="latency-over-time"'));
    expect(page).toMatch(/<tr class="row-fail" data-gate="latency.p99">/);
    expect(page).toMatch(/<tr class="row-pass" data-gate="lost">/);
  });

  it('has a percentile row per metric with units, right-aligned', () => {
    for (const metric of ['endToEnd', 'overhead', 'dispatch', 'recovery']) expect(page).toContain(`data-metric="${metric}"`);
    const row = /<tr data-metric="endToEnd">(.*?)<\/tr>/s.exec(page)![1]!;
    expect(row).toMatch(/<td class="num">[\d.]+ (ms|s)<\/td>/);
    expect(row).toContain('<td class="num">240</td>');
  });

  it('breaks the memory series where the orchestrator restarted (a new pid is a new segment) and names each process', () => {
    const memory = [
      { t: 0, pid: 100, rss: 100 * 2 ** 20 },
      { t: 1000, pid: 100, rss: 110 * 2 ** 20 },
      { t: 2000 },
      { t: 3000, pid: 200, rss: 90 * 2 ** 20 },
      { t: 4000, pid: 200, rss: 95 * 2 ** 20 },
    ];
    expect(memorySegments(memory)).toEqual([
      { index: 0, pid: 100, t: 0 },
      { index: 3, pid: 200, t: 3000 },
    ]);
    const restarted = renderScenarioPage({ ...journal, metrics: { ...(journal.metrics as object), memory } });
    expect(restarted).toContain('Orchestrator processes: pid 100 from 0.0 s · pid 200 from 3.0 s');
    expect(page).not.toContain('Orchestrator processes:');
    const leak = {
      snapshots: [
        { label: 'baseline', pid: 100, startedAtMs: 70_000, atMs: 71_500, bytes: 1 },
        { label: 'final', pid: 100, startedAtMs: 90_000, atMs: 92_000, bytes: 1 },
      ],
      judged: { fromMs: 30_000, untilMs: 70_000 },
    };
    const soak = renderScenarioPage({ ...journal, leak, metrics: { ...(journal.metrics as object), memory } });
    expect(soak).toContain('Memory gates judged 30.0 s–70.0 s (after warm-up, before any heap snapshot)');
    expect(soak).toContain('Heap snapshots: baseline 70.0 s–71.5 s · final 90.0 s–92.0 s');
  });

  it('embeds the charts as inline SVG with the fault windows of the journal', () => {
    expect(page).toMatch(/data-chart="latency-over-time" data-series="4" data-fault-windows="2"/);
    expect(page).toMatch(/data-chart="hdr-distribution" data-series="4"/);
    expect(page).toMatch(/data-chart="timeline" data-faults="2" data-events="0"/);
    expect(page).toMatch(/data-chart="memory-over-time" data-series="2" data-fault-windows="2"/);
    expect(page).toContain('<a href="db-outage.orchestrator.log">orchestratorLog</a>');
    expect(page).not.toContain('NaN');
  });

  it('shows every check, failing ones open, each violation with its witness', () => {
    expect(page).toMatch(/<details class="check" data-check="eventGaps" data-valid="fail" open>/);
    expect(page).toMatch(/<details class="check" data-check="lost" data-valid="pass">/);
    expect(page).toContain('side effect b3:1 was applied 2 times');
    expect(page).toContain('&quot;pid&quot;: 1001');
  });

  it('lists the beads in flight at the final read (a cut drain) apart from the checks, with their witnesses', () => {
    const cut = buildJournal({ name: 'cut', kind: 'chaos', beads: 3, violations: false, faults: [] });
    const html = renderScenarioPage(buildJournal({ name: 'cut', kind: 'chaos', beads: 3, violations: false, faults: [], unfinished: ['slow-1'] }));
    expect(html).toMatch(/<details class="check" data-check="unfinished" data-valid="unknown" open>/);
    expect(html).toContain('in flight at the final read');
    expect(html).toContain('slow-1');
    expect(html).toContain('outcome is unknown, not lost');
    expect(renderScenarioPage(cut)).not.toContain('data-check="unfinished"');
  });

  it('says under each check which test-only defect proves it (harness/checks/proofs.ts)', () => {
    expect(page).toMatch(/data-check="lost"[\s\S]*?proven by: <code>ack-before-durable<\/code>, <code>skip-outbox<\/code>/);
    expect(page).toMatch(/data-check="eventGaps"[\s\S]*?proven by: <code>seq-gap<\/code>/);
  });

  it('loads nothing from the network: no script, no external URL', () => {
    expect(page).not.toMatch(/<script|<link|src="http|href="http/i);
    expect(page).toContain("default-src 'none'");
  });

  it('escapes user data everywhere: scenario name, description, witnesses, fault names, gates, errors', () => {
    const evil = buildJournal({ name: EVIL, description: EVIL, witnessText: EVIL, faults: [[EVIL, 1000, 2000]], thresholds: { 'latency.p99': '< 10s' } });
    (evil.gates as { actual: string }[])[0]!.actual = EVIL;
    evil.error = { code: 'HARN_X', message: EVIL };
    evil.artifacts = { [EVIL]: 'javascript:alert(1)', log: `../${EVIL}.log` };
    const html = renderScenarioPage(evil);
    expect(html).not.toContain('<script>');
    expect(html).not.toContain('<img');
    expect(html).not.toContain('href="javascript:');
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(renderIndexPage([evil])).not.toMatch(/<script|<img/);
  });

  it('renders a run that errored before metrics and checks, saying why', () => {
    const html = renderScenarioPage({
      scenario: { name: 'boom', kind: 'integration' },
      verdict: 'error',
      error: { code: 'HARN_ENV_START', message: 'surreal did not start', phase: 'environment' },
      faults: [{ do: 'db.outage', plannedAt: 3000, spec: { at: 3000, do: 'db.outage', for: 10_000, mode: 'refuse' }, details: {} }],
      gates: [],
      teardown: [{ step: 'sut', error: 'kill failed' }],
    });
    expect(html).toContain('HARN_ENV_START: surreal did not start (phase: environment)');
    expect(html).toContain('sut: kill failed');
    expect(html).toContain('run ended before the checks ran');
    expect(html).toContain('data-empty="true"');
    expect(html).toContain('for=10s mode=refuse');
    expect(html).not.toContain('NaN');
  });

  it('says when a fault was held back until an earlier kill of its process had healed', () => {
    const html = renderScenarioPage({
      scenario: { name: 'held', kind: 'chaos' },
      verdict: 'pass',
      faults: [
        {
          do: 'orchestrator.kill',
          plannedAt: 3000,
          startedAt: 3001,
          healedAt: 9500,
          spec: { at: 3000, do: 'orchestrator.kill', for: 1000 },
          acts: [{ act: 0, plannedAt: 3000, at: 3001, ok: true }],
          details: {},
        },
        {
          do: 'agent.crash',
          plannedAt: 6500,
          startedAt: 9510,
          spec: { at: 6500, do: 'agent.crash' },
          acts: [{ act: 0, plannedAt: 6500, at: 9510, ok: true, deferred: { by: 'orchestrator.kill #0', ms: 3010 } }],
          details: {},
        },
      ],
      gates: [],
    });
    expect(html).toContain('held 3.0 s until orchestrator.kill #0 had healed');
    expect(html.match(/held \d/g)).toHaveLength(1);
  });

  it('says where latencies end: read from the log, the lag behind the stamps, and how many fell back to a stamp', () => {
    const page = (clock: unknown) =>
      renderScenarioPage({ scenario: { name: 'clock', kind: 'load' }, verdict: 'pass', gates: [], metrics: { load: { completionClock: clock } } });
    const both = page({ observed: 58, stamped: 2, lagMs: { p50: 19.3, p99: 64, max: 70 } });
    expect(both).toContain('read the outcome from the log: <b>58</b> beads');
    expect(both).toMatch(/readable 19(\.3)? ms \(p50\) \/ 64(\.0)? ms \(p99\)/);
    expect(both).toContain('<b>2</b> the harness did not read in time are timed by their stamp');
    expect(page({ observed: 5, stamped: 0 })).not.toContain('timed by their stamp');
    // A journal from before the tail (or half-written) renders without the line.
    expect(page(undefined)).not.toContain('completion-clock');
    expect(page({ observed: 'x' })).not.toContain('completion-clock');
  });

  it('renders a journal whose metrics section has no end-to-end latency (half-written), with no p99 card value', () => {
    const journal = buildJournal();
    const metrics = (journal.metrics as { metrics: Record<string, unknown> }).metrics;
    expect(metrics.endToEnd).toBeDefined();
    delete metrics.endToEnd;
    const html = renderScenarioPage(journal);
    expect(html).toContain('data-metric="overhead"');
    expect(html).not.toContain('data-metric="endToEnd"');
    expect(html).toMatch(/<div class="label">latency p99<\/div><div class="value ">–<\/div>/);
  });

  it('refuses a JSON file that is not a journal, with a stable code', () => {
    expect(() => renderScenarioPage({ hello: 1 })).toThrow(expect.objectContaining({ code: 'HARN_REPORT_JOURNAL_INVALID' }));
    expect(() => renderScenarioPage({ scenario: { name: 'a', kind: 'chaos' }, verdict: 'maybe' })).toThrow(/verdict/);
  });
});

describe('journal view', () => {
  it("reads the runner's journal fields: fault records, nested versions, gate kinds, phases, parsed thresholds", () => {
    const view = toJournalView({
      version: 1,
      scenario: {
        name: 'x',
        kind: 'chaos',
        file: 'scenarios/chaos/x.yaml',
        resolved: { thresholds: { 'latency.p99': { key: 'latency.p99', source: '< 10s', limit: 10_000 } } },
      },
      profile: 'ci',
      seed: 9,
      versions: { node: 'v20', oya: '0.1.0', surrealdb: { sdk: '2.0.8', engine: '3.0.3' } },
      startedAt: '2026-11-26T17:00:00.000Z',
      endedAt: '2026-11-26T17:01:00.000Z',
      verdict: 'pass',
      phases: [{ name: 'environment', ms: 1200 }],
      faults: [
        {
          index: 0,
          do: 'db.outage',
          spec: { at: 3000, do: 'db.outage', for: 2000 },
          plannedAt: 3000,
          startedAt: 3010,
          healedAt: 5020,
          recoveryMs: 300,
          details: { proxy: 'db' },
        },
      ],
      gates: [{ kind: 'threshold', name: 'latency.p99', pass: true, expected: '< 10s', actual: '1.2s' }],
    });
    expect(view.scenario).toMatchObject({ seed: 9, profile: 'ci', file: 'scenarios/chaos/x.yaml', thresholds: { 'latency.p99': '< 10s' } });
    expect(view.versions).toEqual({ node: 'v20', oya: '0.1.0', 'surrealdb sdk': '2.0.8', 'surrealdb engine': '3.0.3' });
    expect(view.faults).toEqual([{ name: 'db.outage', params: { for: 2000 }, startMs: 3010, endMs: 5020, recoveryMs: 300, details: { proxy: 'db' } }]);
    expect(view.gates[0]).toMatchObject({ key: 'latency.p99', kind: 'threshold', pass: true });
    expect(view.durationMs).toBe(60_000);
    expect(view.phases).toEqual([{ name: 'environment', ms: 1200 }]);
  });

  it('rebases absolute fault times on the run start', () => {
    const view = toJournalView({
      scenario: { name: 'x', kind: 'chaos' },
      verdict: 'fail',
      startedAt: '2026-11-26T17:00:00.000Z',
      faults: [{ name: 'db.kill', start: '2026-11-26T17:00:05.000Z', end: Date.parse('2026-11-26T17:00:07.500Z') }],
    });
    expect(view.faults[0]).toMatchObject({ startMs: 5000, endMs: 7500 });
  });
});

describe('writeReports', () => {
  it('writes a page beside every journal and an index linking them, failures first', async () => {
    const dir = await tempDir();
    await mkdir(join(dir, 'chaos'));
    await mkdir(join(dir, 'integration'));
    await mkdir(join(dir, 'bench'));
    await writeFile(join(dir, 'chaos', 'db-outage.json'), JSON.stringify(buildJournal()));
    const journal = buildJournal({ name: 'single-bead', kind: 'integration', faults: [], violations: false, beads: 20 });
    await writeFile(join(dir, 'integration', 'single-bead.json'), JSON.stringify(journal));
    await writeFile(join(dir, 'integration', 'half-written.json'), '{"scenario": {"na');
    await writeFile(join(dir, 'bench', 'latest.json'), JSON.stringify({ suites: [] }));
    const result = await writeReports(dir);
    expect(result.pages.map((p) => p.slice(dir.length + 1)).sort()).toEqual(['chaos/db-outage.html', 'integration/single-bead.html']);
    expect(result.skipped.map((s) => s.file.slice(dir.length + 1))).toEqual(['integration/half-written.json']);
    expect(await readdir(join(dir, 'bench'))).toEqual(['latest.json']);
    const index = await readFile(join(dir, 'index.html'), 'utf8');
    const order = [...index.matchAll(/data-scenario="([^"]+)" data-verdict="(\w+)"/g)].map((m) => `${m[1]}:${m[2]}`);
    expect(order).toEqual(['integration/half-written.json:error', 'db-outage:fail', 'single-bead:pass']);
    expect(index).toContain('href="chaos/db-outage.html"');
    expect(index).toContain('href="integration/single-bead.html"');
    const page = await readFile(join(dir, 'integration', 'single-bead.html'), 'utf8');
    expect(page).toContain('href="../index.html"');
    expect(page).toContain('No faults were injected');
  });

  it('names pages after the journal file, never after the scenario name inside it', async () => {
    const dir = await tempDir();
    await mkdir(join(dir, 'chaos'));
    await writeFile(join(dir, 'chaos', 'ok.json'), JSON.stringify(buildJournal({ name: '../../escape' })));
    const result = await writeReports(dir);
    expect(result.pages).toEqual([join(dir, 'chaos', 'ok.html')]);
    expect((await readdir(dir)).sort()).toEqual(['chaos', 'index.html']);
  });

  it('fails with HARN_REPORT_DIR_MISSING for a directory that does not exist', async () => {
    const dir = await tempDir();
    await expect(writeReports(join(dir, 'nope'))).rejects.toMatchObject({ code: 'HARN_REPORT_DIR_MISSING' });
  });
});
