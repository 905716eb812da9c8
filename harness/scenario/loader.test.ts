import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it, onTestFinished } from 'vitest';
import { ScenarioInvalidError, ScenarioSourceError } from './errors.ts';
import { loadScenarioFile, loadScenarioText } from './loader.ts';

const EVERYTHING = fileURLToPath(new URL('./fixtures/ok.everything.yaml', import.meta.url));

function invalid(text: string, file = 'test.yaml'): ScenarioInvalidError {
  try {
    loadScenarioText(text, file);
  } catch (err) {
    if (err instanceof ScenarioInvalidError) return err;
    throw err;
  }
  throw new Error('expected the scenario to be invalid');
}

describe('loadScenarioFile', () => {
  it('resolves defaults, units and parsed thresholds', async () => {
    const s = await loadScenarioFile(EVERYTHING);
    expect(s.profile).toBeUndefined();
    expect(s.file).toBe(EVERYTHING);
    expect(s.seed).toBe(42);
    expect(s.system).toMatchObject({ workers: 4, reconcileTick: 500, admin: true, defects: ['drop-event'] });
    expect(s.system.agent).toEqual({ steps: 4, stepTime: 50, payloadBytes: 128, sideEffects: true });
    expect(s.system.timeouts).toEqual({ bead: 60_000, heartbeat: 2_000, shutdown: 30_000, db: 5_000 });
    expect(s.workload[0]).toMatchObject({ beads: 20, rate: 10, arrival: 'poisson', duplicates: 0.1, cancel: { fraction: 0.1, at: 3_000 } });
    expect(s.workload[1]!.workflow!.beads[1]).toEqual({
      id: 'code',
      dependsOn: ['plan'],
      agent: { failAt: 2, failTimes: 1, slowSteps: { steps: [1], stepTime: 1_000 } },
    });
    expect(s.faults[0]).toEqual({ at: 2_000, do: 'db.latency', for: 3_000, latency: 300, jitter: 50 });
    expect(s.faults[1]).toEqual({ at: 6_000, do: 'agent.crash', target: 'build.code', count: 1 });
    expect(s.expect).toMatchObject({ completed: 20, cancelled: 2, lost: 0, duplicated: 0, eventGaps: 0 });
    expect(s.thresholds['rss.slope']).toMatchObject({ kind: 'bytesRate', source: '< 1MB/m' });
    expect(s.timeouts).toEqual({ drain: 30_000, total: 120_000 });
    expect(s).not.toHaveProperty('profiles');
  });

  it('merges the chosen profile: mappings key by key, the rest kept', async () => {
    const ci = await loadScenarioFile(EVERYTHING, { profile: 'ci' });
    expect(ci.profile).toBe('ci');
    expect(ci.system.agent).toEqual({ steps: 3, stepTime: 50, payloadBytes: 128, sideEffects: true });
    expect(ci.system.workers).toBe(4);
    expect(ci.timeouts).toEqual({ drain: 20_000, total: 90_000 });
    // A profile the file does not declare resolves to the base document.
    const full = await loadScenarioFile(EVERYTHING, { profile: 'full' });
    expect(full.timeouts.total).toBe(120_000);
  });

  it('deep-freezes the resolved scenario', async () => {
    const s = await loadScenarioFile(EVERYTHING);
    expect(Object.isFrozen(s)).toBe(true);
    expect(Object.isFrozen(s.workload[1]!.workflow!.beads[0]!.dependsOn)).toBe(true);
    expect(Object.isFrozen(s.thresholds['latency.p99'])).toBe(true);
    expect(() => {
      (s.system as { workers: number }).workers = 99;
    }).toThrow(TypeError);
  });

  it('reports an unreadable file as a source error', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'oya-scenario-'));
    onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
    const err = await loadScenarioFile(path.join(dir, 'missing.yaml')).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ScenarioSourceError);
    expect((err as ScenarioSourceError).code).toBe('HARN_SCENARIO_SOURCE');
    expect((err as Error).message).toMatch(/cannot read file: ENOENT/);
  });
});

describe('loadScenarioText issues', () => {
  it('collects every issue in one pass, sorted by line, with file:line:col and path', () => {
    const err = invalid(
      [
        'name: Bad Name', //           1
        'kind: chaos', //              2
        'seed: 1.5', //                3
        'workload:', //                4
        '  - beads: 0', //             5
        'faults:', //                  6
        '  - { at: 1s, do: db.kill }', // 7
        'thresholds:', //              8
        '  rss.max: "< 10s"', //       9
      ].join('\n'),
    );
    expect(err.code).toBe('HARN_SCENARIO_INVALID');
    expect(err.issues.map((i) => [i.line, i.path])).toEqual([
      [1, 'name'],
      [3, 'seed'],
      [5, 'workload[0].beads'],
      [9, 'thresholds["rss.max"]'],
    ]);
    expect(err.issues[0]!.column).toBe(7);
    expect(err.message).toContain('test.yaml:5:12 workload[0].beads:');
  });

  it('checks the valid phases and faults across fields even when another phase or fault, or system, is invalid', () => {
    const err = invalid(
      [
        'name: x', //                                          1
        'kind: chaos', //                                      2
        'system: { workers: 0 }', //                           3  invalid: min 1
        'workload:', //                                        4
        '  - { beads: 0 }', //                                 5  invalid: min 1
        '  - workflow:', //                                    6
        '      name: wf', //                                   7
        '      beads: [{ id: a }, { id: b, dependsOn: [buld] }]', // 8  cross-field: unknown bead
        'faults:', //                                          9
        '  - { at: 1s, do: db.kill, bogus: 1 }', //            10 invalid: unknown key
        '  - { at: 50s, do: db.outage, for: 20s }', //         11 cross-field: ends after the run
        'timeouts: { drain: 10s, total: 60s }', //             12
      ].join('\n'),
    );
    expect(err.issues.map((i) => i.path)).toEqual([
      'system.workers',
      'workload[0].beads',
      'workload[1].workflow.beads[1].dependsOn[0]',
      'faults[0].bogus',
      'faults[1].for',
    ]);
    expect(err.issues[2]!.message).toMatch(/buld/);
    expect(err.issues[4]!.message).toMatch(/after the end of the run/);
  });

  it('points unknown keys at the key and suggests the closest allowed one', () => {
    const err = invalid('name: x\nkind: load\nworkload:\n  - beads: 1\n    rtae: 10/s\n');
    expect(err.issues).toEqual([
      expect.objectContaining({ line: 5, column: 5, path: 'workload[0].rtae', message: expect.stringMatching(/did you mean "rate"\?/) }),
    ]);
  });

  it('reports a missing required section at the document', () => {
    const err = invalid('name: x\nkind: load\n');
    expect(err.issues[0]).toMatchObject({ path: 'workload', line: 1 });
  });

  it('reports a profile override that breaks a cross-field rule at the base path, tagged with the profile', () => {
    const err = invalid(
      [
        'name: x',
        'kind: chaos',
        'profiles:',
        '  ci:',
        '    timeouts: { drain: 5s, total: 10s }',
        'workload:',
        '  - beads: 1',
        'faults:',
        '  - { at: 8s, do: db.outage, for: 5s }',
      ].join('\n'),
    );
    expect(err.issues).toEqual([
      expect.objectContaining({ path: 'faults[0].for', line: 9, message: expect.stringMatching(/after the end of the run.*\(with profile ci\)/) }),
    ]);
  });

  it('refuses a YAML syntax error with a position', () => {
    expect(() => loadScenarioText('name: x\nkind: [load\n', 'broken.yaml')).toThrow(ScenarioSourceError);
    expect(() => loadScenarioText('name: x\n  kind: load\n', 'broken.yaml')).toThrow(/^broken\.yaml:\d+:\d+ YAML syntax/);
  });
});
