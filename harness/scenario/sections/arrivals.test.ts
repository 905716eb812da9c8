import { describe, expect, it } from 'vitest';
import { loadScenarioText } from '../loader.ts';
import { checkArrivals, phaseArrivals } from './arrivals.ts';
import { workloadSchema } from './workload.ts';

const phases = (raw: unknown) => workloadSchema.parse(raw);
const issuesOf = (raw: unknown, totalMs = 60_000) => checkArrivals(phases(raw), totalMs).map((i) => `${i.path.join('.')}: ${i.message}`);

describe('arrivals', () => {
  it('schedules phases as the planner does: 1/rate apart from the start, poisson N/rate on average, one after another', () => {
    const workload = phases([
      { beads: 10 }, // all at 0
      { beads: 11, rate: '2/s' }, // from 0 (the previous phase ended at once): last at 10 × 500ms
      { start: '1m', workflow: { name: 'w', beads: [{ id: 'a' }] }, count: 30, rate: '1/s', arrival: 'poisson' },
      { invalid: [{ send: 'cycle', expect: { status: 400 } }] },
    ]);
    expect(phaseArrivals(workload).map(({ start, end }) => [start, end])).toEqual([
      [0, 0],
      [0, 5_000],
      [60_000, 90_000],
      [90_000, 90_000],
    ]);
  });

  it('refuses a phase whose arrivals run to or past timeouts.total, with the numbers', () => {
    expect(issuesOf([{ beads: 10 }, { start: '5s', beads: 91, rate: '1/s' }])).toEqual([
      'workload.1: arrivals run until 1m35s but timeouts.total is 1m (91 beads at 1/s from 5s): raise timeouts.total above 1m35s plus the time to drain, or end the phase earlier',
    ]);
    // The last of 60 at 1/s is due at 59s; the 61st would be due as the run ends, with no time to run.
    expect(issuesOf([{ beads: 60, rate: '1/s' }])).toEqual([]);
    expect(issuesOf([{ beads: 61, rate: '1/s' }])[0]).toMatch(/^workload\.0: arrivals run until 1m but timeouts\.total is 1m /);
    expect(issuesOf([{ start: '1m', beads: 1 }])[0]).toMatch(/until 1m but timeouts\.total is 1m \(1 bead at once at 1m\)/);
    expect(issuesOf([{ beads: 120, rate: '2/s', arrival: 'poisson' }])[0]).toMatch(/until 1m .*\(120 beads at 2\/s \(poisson, on average\) from 0s\)/);
  });

  it('reports the phase that crosses the end, not the ones that merely follow it', () => {
    const over = { beads: 100, rate: '1/s' };
    expect(
      issuesOf([over, { beads: 5 }, { start: '2m', beads: 1 }, { start: '1s', beads: 5 }, { beads: 100, rate: '1/s' }]).map((i) => i.split(':')[0]),
    ).toEqual(['workload.0', 'workload.2', 'workload.4']);
  });

  it('is checked under each profile, pointing at the file line', () => {
    const text = [
      'name: late',
      'kind: load',
      'workload:',
      '  - beads: 30',
      '    rate: 1/s',
      'timeouts: { drain: 10s, total: 2m }',
      'profiles:',
      '  ci:',
      '    timeouts: { total: 20s }',
      '',
    ].join('\n');
    expect(() => loadScenarioText(text, 'scenarios/load/late.yaml')).toThrow(
      'scenarios/load/late.yaml:4:5 workload[0]: arrivals run until 29s but timeouts.total is 20s (30 beads at 1/s from 0s): raise timeouts.total above 29s plus the time to drain, or end the phase earlier (with profile ci)',
    );
  });
});
