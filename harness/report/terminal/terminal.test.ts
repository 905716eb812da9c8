import { describe, expect, it } from 'vitest';
import { buildJournal } from '../html/journal-fixture.test-helper.ts';
import { colorEnabled, stripAnsi, visibleWidth } from './ansi.ts';
import { createProgressReporter, formatProgress } from './progress.ts';
import { renderSummaryTable } from './summary-table.ts';

/** A stream that records what was written, TTY or not. */
function fakeStream(isTTY: boolean, columns?: number) {
  const writes: string[] = [];
  return { writes, stream: { isTTY, ...(columns ? { columns } : {}), write: (s: string) => writes.push(s) } };
}

const failing = buildJournal({ beads: 60 });
const passing = buildJournal({ name: 'steady', kind: 'load', beads: 30, violations: false, faults: [] });

describe('colorEnabled', () => {
  it('colours a TTY unless NO_COLOR is set to something', () => {
    expect(colorEnabled({ isTTY: true }, {})).toBe(true);
    expect(colorEnabled({ isTTY: true }, { NO_COLOR: '' })).toBe(true);
    expect(colorEnabled({ isTTY: true }, { NO_COLOR: '1' })).toBe(false);
    expect(colorEnabled({ isTTY: false }, {})).toBe(false);
    expect(colorEnabled({}, {})).toBe(false);
  });
});

describe('renderSummaryTable', () => {
  it('heads with what happened to every bead sent, and lists the waits that ran out', () => {
    const journal = {
      ...failing,
      submissions: { submitted: 8, acknowledged: 6, failed: 1, unknown: 1, completed: 4, endedFailed: 2, endedCancelled: 0, attempts: 11 },
      waits: [{ what: 'drain', at: 61_000, message: '1 bead(s) not terminal after 60000 ms (timeouts.drain 60000 ms): steady-3' }],
    };
    const lines = renderSummaryTable(journal).trimEnd().split('\n');
    // "refused": the journal's `failed` (a submission no attempt got in); "failed": beads that ran and failed.
    expect(lines.slice(1, 3)).toEqual([
      'beads       submitted 8  acknowledged 6  refused 1  unknown 1  (11 submit attempts)',
      'ended       completed 4  failed 2  cancelled 0',
    ]);
    expect(lines).toContain('  ⏱ drain at 61 s: 1 bead(s) not terminal after 60000 ms (timeouts.drain 60000 ms): steady-3');
    // A journal written before the beads' ends were counted: no made-up zeros.
    const old = renderSummaryTable({ ...journal, submissions: { submitted: 8, acknowledged: 6, failed: 1, unknown: 1, completed: 6, attempts: 11 } });
    expect(old.split('\n')[2]).toBe('ended       completed 6');
  });

  it('shows verdict, gates, percentiles of the main metrics, throughput and violations', () => {
    const text = renderSummaryTable(failing);
    const lines = text.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^✗ FAIL {2}chaos\/db-outage {2}27\.2 s {2}seed 7 {2}gates 4\/7 passed$/);
    expect(lines[1]).toMatch(/^metric\s+count\s+p50\s+p95\s+p99\s+max\s+mean$/);
    const summary = (failing.metrics as { metrics: { endToEnd: { summary: { p99: number } } } }).metrics.endToEnd.summary;
    expect(summary.p99).toBeGreaterThan(11_000_000);
    expect(text).toMatch(/^latency\s+60\s+1\.09 s\s+1\.24 s\s+11\.6 s\s+11\.6 s\s+1\.57 s$/m);
    expect(text).toMatch(/^recovery\s+2\s/m);
    expect(text).toMatch(/^throughput\s+138 \/min \(60 completions in 26 s\)$/m);
    expect(text).toMatch(/^violations\s+eventGaps 1, doubleSideEffects 1$/m);
    expect(text).toContain('  ✗ latency.p99: expected latency.p99 < 10s, actual 11.6s');
    expect(text).not.toContain('\x1b[');
    // Beads in flight when the drain was cut short are said, in yellow, and are not violations.
    const withUnfinished = buildJournal({ name: 'cut', kind: 'load', beads: 3, violations: false, faults: [], unfinished: ['slow-1'] });
    expect(renderSummaryTable(withUnfinished)).toMatch(/^violations\s+unfinished 1$/m);
    expect(renderSummaryTable(passing)).toMatch(/^✓ PASS {2}load\/steady.*gates 7\/7 passed\n[\s\S]*violations\s+none\n$/);
  });

  it('fits 100 columns even with a very long scenario name and gate text', () => {
    const long = buildJournal({ name: 'x'.repeat(300), beads: 20, witnessText: 'y'.repeat(300), thresholds: { 'latency.p99': '< 1ms' } });
    const text = renderSummaryTable(long, { color: true });
    for (const line of text.trimEnd().split('\n')) expect(visibleWidth(line)).toBeLessThanOrEqual(100);
    expect(stripAnsi(text.split('\n')[0]!)).toMatch(/^✗ FAIL {2}chaos\/x+… {2}.* {2}gates \d+\/\d+ passed$/);
    for (const line of renderSummaryTable(long, { width: 60 }).trimEnd().split('\n')) expect(visibleWidth(line)).toBeLessThanOrEqual(60);
  });

  it('colours only for a TTY stream without NO_COLOR', () => {
    expect(renderSummaryTable(failing, { stream: { isTTY: true }, env: {} })).toContain('\x1b[31m✗ FAIL\x1b[39m');
    expect(renderSummaryTable(failing, { stream: { isTTY: true }, env: { NO_COLOR: '1' } })).not.toContain('\x1b[');
    expect(renderSummaryTable(failing, { stream: { isTTY: false }, env: {} })).not.toContain('\x1b[');
  });

  it('says what happened for an errored run without metrics or checks', () => {
    const errored = {
      ...passing,
      verdict: 'error',
      error: { code: 'HARN_ENV_START', message: 'surreal did not start\nport in use' },
      metrics: undefined,
      checks: undefined,
      gates: [],
    };
    const text = renderSummaryTable(errored);
    expect(text).toMatch(/^! ERROR {2}load\/steady {2}.*no gates\n/);
    expect(text).toContain('error: HARN_ENV_START: surreal did not start port in use\n');
    expect(text).toContain('metrics     none recorded');
    expect(text).toMatch(/violations\s+not checked/);
  });
});

describe('formatProgress', () => {
  it('shows elapsed vs planned, beads done of total, failures and the phase', () => {
    const labelled = { plannedMs: 60_000, totalBeads: 240, label: 'chaos/db-outage' };
    expect(formatProgress({ elapsedMs: 12_400, done: 48, failed: 0, phase: 'workload' }, labelled)).toBe(
      'chaos/db-outage  workload  0:12 / 1:00 (20%)  beads 48/240 (20%)',
    );
    expect(formatProgress({ elapsedMs: 65_000, done: 240, failed: 2, phase: 'drain' }, { plannedMs: 60_000, totalBeads: 240 })).toBe(
      'drain  1:05 / 1:00 (+0:05 over)  beads 240/240 (100%), 2 failed',
    );
    expect(formatProgress({ elapsedMs: 3_723_000, done: 7, failed: 0, phase: 'soak' })).toBe('soak  1:02:03  beads 7');
  });
});

describe('createProgressReporter', () => {
  it('rewrites one line in place on a TTY and ends it on stop', () => {
    const { writes, stream } = fakeStream(true, 80);
    const progress = createProgressReporter({ stream, plannedMs: 60_000, totalBeads: 100, env: {} });
    progress.update({ elapsedMs: 1_000, done: 1, failed: 0, phase: 'workload' });
    progress.update({ elapsedMs: 1_100, done: 1, failed: 0, phase: 'workload' }); // same text: not repainted
    progress.update({ elapsedMs: 2_000, done: 5, failed: 1, phase: 'workload' });
    progress.stop();
    progress.stop();
    progress.update({ elapsedMs: 9_000, done: 9, failed: 1, phase: 'workload' });
    expect(writes).toHaveLength(3);
    expect(writes.slice(0, 2).every((w) => w.startsWith('\r') && w.endsWith('\x1b[K') && !w.includes('\n'))).toBe(true);
    expect(stripAnsi(writes[1]!)).toBe('\rworkload  0:02 / 1:00 (3%)  beads 5/100 (5%), 1 failed');
    expect(writes[1]).toContain('\x1b[31m1 failed\x1b[39m');
    expect(writes[2]).toBe('\n');
  });

  it('never lets the TTY line wrap', () => {
    const { writes, stream } = fakeStream(true, 30);
    const progress = createProgressReporter({ stream, plannedMs: 600_000, totalBeads: 10_000, label: 'a-very-long-scenario-label', color: false });
    progress.update({ elapsedMs: 1_000, done: 1, failed: 0, phase: 'workload' });
    expect(visibleWidth(writes[0]!.replace('\r', ''))).toBeLessThanOrEqual(29);
  });

  it('prints a line per interval (and per phase change) when not a TTY, and the final state on stop', () => {
    const { writes, stream } = fakeStream(false);
    const progress = createProgressReporter({ stream, plannedMs: 60_000, totalBeads: 100, intervalMs: 10_000, env: {} });
    for (let t = 0; t <= 35_000; t += 500) progress.update({ elapsedMs: t, done: Math.floor(t / 600), failed: 0, phase: 'workload' });
    progress.update({ elapsedMs: 35_200, done: 59, failed: 0, phase: 'drain' });
    progress.update({ elapsedMs: 36_000, done: 60, failed: 0, phase: 'drain' });
    progress.stop();
    expect(writes.every((w) => w.endsWith('\n') && !w.includes('\r') && !w.includes('\x1b['))).toBe(true);
    expect(writes.map((w) => w.split('  ').slice(0, 2).join(' '))).toEqual([
      'workload 0:00 / 1:00 (0%)',
      'workload 0:10 / 1:00 (16%)',
      'workload 0:20 / 1:00 (33%)',
      'workload 0:30 / 1:00 (50%)',
      'drain 0:35 / 1:00 (58%)',
      'drain 0:36 / 1:00 (60%)',
    ]);
  });

  it('prints nothing for a run that never reported progress', () => {
    const { writes, stream } = fakeStream(true);
    const progress = createProgressReporter({ stream });
    progress.stop();
    expect(writes).toEqual([]);
  });
});
