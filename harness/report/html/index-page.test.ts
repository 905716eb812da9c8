import { describe, expect, it } from 'vitest';
import type { TrendRecord } from '../trends/trend-record.ts';
import { buildJournal } from './journal-fixture.test-helper.ts';
import { firstLine } from './index-row.ts';
import { renderIndexPage } from './index-page.ts';
import { toJournalView } from './journal-view.ts';

const EVIL = `<script>alert(1)</script><img src=x onerror=alert(2)>"'&`;
const passing = (name: string, kind = 'integration', extra: Parameters<typeof buildJournal>[0] = {}) =>
  buildJournal({ name, kind, faults: [], violations: false, beads: 20, ...extra });
/** The data-scenario of every row, in page order. */
const rowOrder = (html: string) => [...html.matchAll(/<tr class="row [^"]*" data-scenario="([^"]+)"/g)].map((m) => m[1]);
const rowOf = (html: string, name: string) => new RegExp(`<tr class="row [^"]*" data-scenario="${name}"[^>]*>(.*?)</tr>`, 's').exec(html)![1]!;

describe('renderIndexPage', () => {
  it('says how to get journals when there are none', () => {
    const html = renderIndexPage([]);
    expect(html).toContain('No journals yet');
    expect(html).toContain('<b>0</b> scenarios');
  });

  it('counts verdicts and shows key numbers per scenario', () => {
    const html = renderIndexPage([buildJournal(), passing('calm', 'chaos')]);
    expect(html).toMatch(/<b>1<\/b> passed.*<b>1<\/b> failed/s);
    const row = rowOf(html, 'db-outage');
    expect(row).toContain('<td class="c-gates num">4/7</td>');
    expect(row).toMatch(/<td class="c-p99 num">[\d.]+ s/);
    expect(row).toContain('href="chaos/db-outage.html"');
  });

  it('puts every failure in a group at the top, then each lane in run order with its passing runs, each run once', () => {
    const broken = { scenario: { name: 'broken', kind: 'load' }, verdict: 'error', error: { message: 'surreal did not start\nstack…' }, gates: [] };
    const html = renderIndexPage([
      passing('z-load', 'load'),
      passing('a-chaos', 'chaos'),
      buildJournal({ name: 'outage' }),
      passing('b-int'),
      broken,
      passing('leaky', 'leak'),
    ]);
    expect(rowOrder(html)).toEqual(['broken', 'outage', 'b-int', 'a-chaos', 'z-load', 'leaky']);
    const groups = [...html.matchAll(/<tbody class="([^"]+)"><tr class="group-head"><th colspan="9">([^<]+)<\/th>/g)].map((m) => [m[1], m[2]]);
    expect(groups).toEqual([
      ['g-failures', 'Failures · 2'],
      ['g-lane l-0', 'integration · 1 passed'],
      ['g-lane l-1', 'chaos · 1 passed, 1 failing above'],
      ['g-lane l-2', 'load · 1 passed, 1 failing above'],
      ['g-lane l-3', 'leak · 1 passed'],
    ]);
    // An errored run's line is its error's first line.
    expect(rowOf(html, 'broken')).toContain('<td class="c-desc error" title="surreal did not start\nstack…">surreal did not start stack…</td>');
  });

  it("shows the description's first line, cut at a word, with the whole text in the tooltip", () => {
    const long = `${'A very long scenario description that keeps going. '.repeat(8)}\n\nSecond paragraph.`;
    const row = rowOf(renderIndexPage([passing('wordy', 'chaos', { description: long })]), 'wordy');
    const cell = /<td class="c-desc" title="([^"]*)">([^<]*)<\/td>/.exec(row)!;
    expect(cell[1]).toContain('Second paragraph.');
    expect(cell[2]!.length).toBeLessThanOrEqual(160);
    // Cut at a word: what is kept is the text's start, and the next character was a space.
    const kept = cell[2]!.slice(0, -1);
    expect(cell[2]!.endsWith('…')).toBe(true);
    expect(long.startsWith(kept)).toBe(true);
    expect(long[kept.length]).toBe(' ');
    expect(firstLine('one\n  two\n\nthree')).toBe('one two');
  });

  it('filters by verdict and lane without script: radios before the table, CSS rules by index, never by lane name', () => {
    const html = renderIndexPage([buildJournal(), passing('ok'), passing('hostile', EVIL)]);
    expect(html).not.toMatch(/<script|<img/);
    for (const id of ['fv-all', 'fv-error', 'fv-fail', 'fv-pass', 'fl-all', 'fl-0', 'fl-1', 'fl-2']) expect(html).toContain(`id="${id}"`);
    expect(html.indexOf('id="fl-2"')).toBeLessThan(html.indexOf('class="filters"'));
    expect(html.indexOf('class="filters"')).toBeLessThan(html.indexOf('class="index-wrap"'));
    expect(html).toContain('#fv-fail:checked ~ .index-wrap tr.row:not(.v-fail) { display: none; }');
    expect(html).toContain('#fv-pass:checked ~ .index-wrap tbody.g-failures { display: none; }');
    expect(html).toContain('#fl-1:checked ~ .index-wrap tr.row:not(.l-1)');
    // No errored run at all: choosing "error" says so instead of showing an empty table.
    expect(html).toContain('#fv-error:checked ~ .index-wrap tbody.g-none { display: table-row-group; }');
    // The integration lane (l-0) has no failure: choosing it hides the failures group.
    expect(html).toContain('#fl-0:checked ~ .index-wrap tbody.g-failures { display: none; }');
    expect(html).toContain('data-lane="&lt;script&gt;');
  });

  it('draws p99 and throughput sparklines over the kept runs and says what changed since the last run', () => {
    const journal = passing('steady', 'load');
    const view = toJournalView(journal);
    const p99 = view.metrics!.metrics.endToEnd!.summary.p99;
    const perMinute = view.metrics!.throughput.perMinute;
    const at = (minutes: number) => new Date(Date.parse(journal.startedAt as string) + minutes * 60_000).toISOString();
    const kept: TrendRecord[] = [
      { startedAt: at(-20), verdict: 'pass', latencyUs: { p50: 1, p95: 2, p99: p99 * 0.5 }, throughputPerMinute: perMinute },
      { startedAt: at(-10), verdict: 'pass', latencyUs: { p50: 1, p95: 2, p99: p99 / 1.38 }, throughputPerMinute: perMinute / 0.88 },
      // A run after the one the journal shows (another shard's later run): not this row's past.
      { startedAt: at(10), verdict: 'pass', latencyUs: { p50: 1, p95: 2, p99: p99 * 10 }, throughputPerMinute: 1 },
    ];
    const row = rowOf(renderIndexPage([journal], { trends: new Map([['load/steady', kept]]) }), 'steady');
    expect(row).toContain('<svg class="spark spark-p99"');
    expect(row).toContain('<svg class="spark spark-throughput"');
    expect(row).toMatch(/latency p99 over the last 3 runs: /);
    expect(row).toContain('<span class="chg worse">p99 +38 %</span> <span class="chg worse">throughput −12 %</span><span class="vs"> vs last run</span>');
  });

  it('says "first run" for a scenario without history, and draws no sparkline from one point', () => {
    const row = rowOf(renderIndexPage([passing('new')]), 'new');
    expect(row).toContain('first run');
    expect(row).not.toContain('<svg');
  });

  it("shows where each run ran, and each chaos scenario's recovery in local and containers side by side", () => {
    const run = (name: string, env: string | undefined, recoveries: number[], verdict = 'pass') => ({
      version: 1,
      scenario: { name, kind: 'chaos', file: 'scenarios/chaos/db-kill.yaml', resolved: {} },
      ...(env ? { environment: { kind: env } } : {}),
      verdict,
      faults: recoveries.map((recoveryMs, i) => ({
        index: i,
        do: 'db.kill',
        spec: { at: 1000, do: 'db.kill' },
        plannedAt: 1000,
        startedAt: 1000,
        healedAt: 2000,
        recoveryMs,
        details: {},
      })),
      gates: [],
    });
    const page = renderIndexPage([
      run('db-kill', 'local', [1200]),
      run('db-kill-seed82', 'local', [3400, 900]),
      run('db-kill.containers', 'containers', [2100], 'fail'),
      {
        ...run('db-pause.containers', 'containers', [800]),
        scenario: { name: 'db-pause.containers', kind: 'chaos', file: 'scenarios/chaos/db-pause.yaml', resolved: {} },
      },
      run('old', undefined, [5]),
    ]);
    expect(rowOf(page, 'db-kill.containers')).toContain('<td class="c-env">containers</td>');
    expect(rowOf(page, 'old')).toContain('<td class="c-env">?</td>');
    const section = page.slice(page.indexOf('Chaos recovery: local vs containers'));
    const killRow = /<tr data-file="scenarios\/chaos\/db-kill.yaml">(.*?)<\/tr>/s.exec(section)![1]!;
    // The longest over both local seeds; the failed containers run marked.
    expect(killRow).toMatch(
      /<td class="num">3\.4 ?s <span class="muted">\(2 runs\)<\/span><\/td><td class="num">2\.1 ?s ✗ <span class="muted">\(1 run\)<\/span><\/td>/,
    );
    const pauseRow = /<tr data-file="scenarios\/chaos\/db-pause.yaml">(.*?)<\/tr>/s.exec(section)![1]!;
    expect(pauseRow).toContain('<td class="num muted">not run</td>');
    expect(renderIndexPage([run('x', 'local', [1])]).includes('Chaos recovery')).toBe(true);
    // writeReports hands the index views, not raw journals: the environment survives the view.
    expect(toJournalView(run('v', 'containers', [1])).environment).toBe('containers');
    expect(renderIndexPage([{ ...run('y', undefined, [1]) }]).includes('Chaos recovery')).toBe(false);
  });
});
