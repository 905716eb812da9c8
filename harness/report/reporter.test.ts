import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadScenarioText } from '../scenario/index.ts';
import { buildJournal } from './html/journal-fixture.test-helper.ts';
import type { RunJournal } from './journal.ts';
import { createRunReporter, loadLine } from './reporter.ts';
import { readTrend } from './trends/trend-store.ts';

const dirs: string[] = [];
afterEach(async () => {
  await Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true })));
});

async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'oya-reporter-'));
  dirs.push(dir);
  return dir;
}

describe('createRunReporter', () => {
  it('start() prints a progress line naming the scenario and its planned beads; stop() ends it', async () => {
    const scenario = loadScenarioText('name: progress-demo\nkind: integration\nworkload:\n  - beads: 4\n    rate: 2/s\n', 'progress-demo.yaml');
    let printed = '';
    const stream = { write: (s: string) => ((printed += s), true) };
    const progress = await createRunReporter({ reportDir: await tempDir(), stream }).start(scenario);
    progress.update({ phase: 'workload', elapsedMs: 1_000, done: 1, failed: 0 });
    progress.stop();
    expect(printed).toContain('integration/progress-demo');
    expect(printed).toMatch(/1\/4/);
  });

  it('after a run, adds it to its trend under reports/history/ and refreshes the index with it', async () => {
    const dir = await tempDir();
    const journal = buildJournal({ name: 'burst', kind: 'load', faults: [], violations: false, beads: 30 }) as unknown as RunJournal;
    await mkdir(join(dir, 'load'));
    await writeFile(join(dir, 'load', 'burst.json'), JSON.stringify(journal));
    let printed = '';
    const stream = { write: (s: string) => ((printed += s), true) };
    const reporter = createRunReporter({ reportDir: dir, stream });
    await reporter.finish(journal);
    await reporter.finish(journal); // reported twice: still one run
    expect(printed).toContain('burst');
    const kept = await readTrend(dir, { kind: 'load', name: 'burst' });
    expect(kept.map((r) => r.startedAt)).toEqual([journal.startedAt]);
    expect(await readFile(join(dir, 'index.html'), 'utf8')).toContain('data-scenario="burst"');
  });

  it('prints the load line (beads/min, fairness, CPU, RSS) only for runs that measured load', () => {
    const fairness = { workflows: 10, ratio: 1.061, maxMeanWaitMs: 980, medianMeanWaitMs: 923, worstWorkflow: 'batch-7' };
    const load = { beadsPerMinute: 3694.2, fairness, cpu: { mean: 0.26, max: 0.35, samples: 20 }, rss: { max: 174 * 1024 * 1024, last: 1 } };
    expect(loadLine({ metrics: { load } })).toBe(
      'load        3,694 beads/min  fairness 1.06 (10 workflows, worst mean wait 980ms vs median 923ms)  cpu 0.26 mean / 0.35 max cores  rss max 174 MB',
    );
    expect(loadLine({ metrics: {} })).toBeUndefined();
    const withCpu = loadLine({ metrics: { load: { ...load, cpuMsPerBead: { orchestrator: 1.234, db: 0.5 } } } });
    expect(withCpu).toMatch(/rss max 174 MB {2}cpu-ms\/bead orchestrator 1\.23 db 0\.50$/);
  });
});
