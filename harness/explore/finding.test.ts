/** The finding files: the YAML loads as a chaos scenario with its reason on top; the page carries the banner. */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { buildJournal } from '../report/html/journal-fixture.test-helper.ts';
import { loadScenarioText } from '../scenario/index.ts';
import { writeFinding, writeFindingsIndex, type Finding } from './finding.ts';
import { generateDraft } from './generator.ts';
import { formatSignature, reasonOf, sameFailure, signatureOf } from './signature.ts';

let dir: string | undefined;
afterEach(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

const gate = (name: string, pass: boolean) => ({
  kind: 'expect' as const,
  name,
  pass,
  expected: `${name} == 0`,
  actual: pass ? '0' : '2: bead b1 applied twice',
});

describe('signature', () => {
  it('is the verdict and the failing gate names; the same way means equal signatures', () => {
    const a = signatureOf({
      verdict: 'fail',
      gates: [gate('expect.lost', true), gate('expect.lifecycle', false), gate('expect.doubleSideEffects', false)],
      journal: {},
    });
    expect(a).toEqual({ verdict: 'fail', failing: ['expect.doubleSideEffects', 'expect.lifecycle'] });
    expect(sameFailure(a, { verdict: 'fail', failing: ['expect.doubleSideEffects', 'expect.lifecycle'] })).toBe(true);
    expect(sameFailure(a, { verdict: 'fail', failing: ['expect.lifecycle'] })).toBe(false);
    expect(sameFailure(a, { verdict: 'pass', failing: [] })).toBe(false);
    const e = signatureOf({ verdict: 'error', gates: [], journal: { error: { code: 'HARN_RUNNER_TIMEOUT', phase: 'drain' } } });
    expect(formatSignature(e)).toBe('error: HARN_RUNNER_TIMEOUT@drain');
    expect(sameFailure(signatureOf({ verdict: 'pass', gates: [], journal: {} }), { verdict: 'pass', failing: [] })).toBe(false);
    expect(reasonOf({ verdict: 'fail', gates: [gate('expect.lost', false)], journal: {} })).toBe(
      'expect.lost: expected expect.lost == 0, actual 2: bead b1 applied twice',
    );
  });
});

describe('writeFinding', () => {
  it('writes a YAML scenario that loads with kind chaos and a one-line reason, and an HTML page', async () => {
    dir = await mkdtemp(join(tmpdir(), 'oya-finding-'));
    const draft = generateDraft({ env: 'local', kinds: ['chaos'], defects: ['double-step'] }, 3, 1);
    const finding: Finding = {
      id: draft.name,
      seed: 3,
      run: 1,
      signature: { verdict: 'fail', failing: ['expect.doubleSideEffects'] },
      reason: 'expect.doubleSideEffects: expected 0, actual 1: side effect b1:3 applied twice',
      original: draft,
      shrunk: { ...draft, faults: draft.faults.slice(0, 1) },
      accepted: ['drop fault db.kill at 1s'],
      shrinkRuns: 4,
      shrinkComplete: true,
      foundAfterMs: 12_000,
      journal: { ...buildJournal(), verdict: 'fail' },
    };
    const written = await writeFinding(dir, finding);
    const text = await readFile(written.yaml, 'utf8');
    const lines = text.split('\n');
    expect(lines[0]).toBe(`# oya explore finding: ${finding.reason}`);
    expect(lines[1]).toMatch(/^# seed 3 run 1; fail: expect.doubleSideEffects; shrunk from \d+ faults?\/\d+ beads? to 1 fault\/\d+ beads? in 4 runs$/);
    expect(text).toContain('# yaml-language-server: $schema=../schema.json');
    const scenario = loadScenarioText(text, `scenarios/chaos/${draft.name}.yaml`);
    expect(scenario.name).toBe(draft.name);
    expect(scenario.faults).toHaveLength(1);
    expect(scenario.system.defects).toEqual(['double-step']);
    const page = await readFile(written.html, 'utf8');
    expect(page).toContain(`oya explore finding ${draft.name}`);
    expect(page).toContain('drop fault db.kill at 1s');
    const index = await readFile(await writeFindingsIndex(dir, { seed: 3, runs: 2, elapsedMs: 60_000, findings: [finding] }), 'utf8');
    expect(index).toContain(`${draft.name}.html`);
  });
});
