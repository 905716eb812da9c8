import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasCode } from '../../../system/errors.ts';
import { journalWithRun, spread } from '../../report/compare/runs.test-helper.ts';
import { command, runCompare } from './compare.ts';

/** Captures what the command writes; `isTTY` decides colour like a real stream. */
function capture(isTTY = false) {
  const text = { stdout: '', stderr: '' };
  return {
    text,
    out: { stdout: { isTTY, write: (s: string) => (text.stdout += s) }, stderr: { write: (s: string) => (text.stderr += s) } },
  };
}

let dir: string;
const file = (name: string) => join(dir, name);

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'oya-compare-'));
  const base = spread(400, 100, 1100);
  await writeFile(file('a.json'), JSON.stringify(journalWithRun({ latenciesMs: base })));
  await writeFile(file('b.json'), JSON.stringify(journalWithRun({ latenciesMs: base.map((v) => v * 1.5) })));
  await writeFile(file('a-low.json'), JSON.stringify(journalWithRun({ latenciesMs: base.slice(0, 200) })));
  await writeFile(file('a-high.json'), JSON.stringify(journalWithRun({ latenciesMs: base.slice(200) })));
  await writeFile(file('broken.json'), '{"scenario": {"name": "x"');
  await writeFile(file('not-a-journal.json'), JSON.stringify({ hello: 'world' }));
  const badHistogram = journalWithRun({ latenciesMs: base }) as { metrics: { metrics: { endToEnd: { histogram: string } } } };
  badHistogram.metrics.metrics.endToEnd.histogram = 'bm90IGEgaGlzdG9ncmFt';
  await writeFile(file('bad-histogram.json'), JSON.stringify(badHistogram));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('oya compare', () => {
  it('prints the deltas with regression markers and exits 0', async () => {
    const { text, out } = capture();
    expect(await runCompare([file('a.json'), file('b.json')], out)).toBe(0);
    expect(text.stdout).toMatch(/^\s+p99\s+1\.09 s\s+1\.64 s\s+\+545 ms\s+1\.500x\s+▲ REGRESSION$/m);
    expect(text.stdout).toContain('throughput');
    expect(text.stdout).not.toContain('\x1b[');
    expect(text.stderr).toBe('');
  });

  it('colours only on a TTY without NO_COLOR', async () => {
    const previous = process.env.NO_COLOR;
    try {
      delete process.env.NO_COLOR;
      const tty = capture(true);
      await runCompare([file('a.json'), file('b.json')], tty.out);
      expect(tty.text.stdout).toContain('\x1b[31m');
      process.env.NO_COLOR = '1';
      const noColor = capture(true);
      await runCompare([file('a.json'), file('b.json')], noColor.out);
      expect(noColor.text.stdout).not.toContain('\x1b[');
    } finally {
      if (previous === undefined) delete process.env.NO_COLOR;
      else process.env.NO_COLOR = previous;
    }
  });

  it('merges several journals per side around "vs" and prints JSON', async () => {
    const { text, out } = capture();
    expect(await runCompare(['--json', '--metric', 'latency', file('a-low.json'), file('a-high.json'), 'vs', file('a.json')], out)).toBe(0);
    const json = JSON.parse(text.stdout) as {
      a: { sources: string[] };
      metrics: { metric: string; stats: Record<string, { delta: number }> }[];
      regressions: string[];
    };
    expect(json.a.sources).toEqual([file('a-low.json'), file('a-high.json')]);
    expect(json.metrics.map((m) => m.metric)).toEqual(['latency']);
    // The two halves merged are the whole run: identical distributions.
    expect(Object.values(json.metrics[0]!.stats).map((s) => s.delta)).toEqual([0, 0, 0, 0, 0, 0]);
    expect(json.regressions).toEqual([]);
  });

  it('exits 1 with --fail-on-regression only when something regressed', async () => {
    expect(await runCompare(['--fail-on-regression', file('a.json'), file('b.json')], capture().out)).toBe(1);
    expect(await runCompare(['--fail-on-regression', file('b.json'), file('a.json')], capture().out)).toBe(0);
    expect(await runCompare(['--tolerance', '60%', '--fail-on-regression', file('a.json'), file('b.json')], capture().out)).toBe(0);
  });

  it.each([
    ['missing.json', 'no such file'],
    ['broken.json', 'not JSON'],
    ['not-a-journal.json', 'no scenario.name'],
    ['bad-histogram.json', 'the latency histogram does not decode'],
  ])('exits 2 naming the file when %s is unusable', async (name, reason) => {
    const { text, out } = capture();
    expect(await runCompare([file('a.json'), file(name)], out)).toBe(2);
    expect(text.stderr).toContain(file(name));
    expect(text.stderr).toContain(reason);
    expect(text.stdout).toBe('');
  });

  it.each([
    [['--bogus', 'a.json', 'b.json'], /bogus/],
    [['a.json'], /two journal files/],
    [['a.json', 'b.json', 'c.json'], /two journal files/],
    [['a.json', 'vs'], /on each side/],
    [['a.json', 'vs', 'b.json', 'vs', 'c.json'], /only one "vs"/],
    [['--metric', 'latency,memory', 'a.json', 'b.json'], /--metric/],
    [['--tolerance', 'five', 'a.json', 'b.json'], /--tolerance/],
    [['--json=yes', 'a.json', 'b.json'], /json/],
  ])('refuses %j with HARN_CLI_USAGE', async (argv, message) => {
    const err = await runCompare(argv, capture().out).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(hasCode(err, 'HARN_CLI_USAGE')).toBe(true);
    expect((err as Error).message).toMatch(message);
  });

  it('is a CliCommand with help for every flag', () => {
    expect(command.name).toBe('compare');
    for (const flag of ['--metric', '--tolerance', '--json', '--fail-on-regression']) expect(command.help).toContain(flag);
  });
});
