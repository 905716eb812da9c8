import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { buildJournal } from '../html/journal-fixture.test-helper.ts';
import { buildJunitXml, writeJunit } from './junit.ts';
import { escapeXmlAttr, escapeXmlText } from './xml.ts';
import { findAll, parseXml } from './xml-check.test-helper.ts';

/** Everything that breaks naive XML: markup, entities, quotes, CDATA end, controls, a lone surrogate, emoji. */
const EVIL = `<testcase name="x"/>&amp; ' " ]]> \x00\x1b[31m \ud800 tab\there\nline2 😀`;

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()!();
});

const failing = buildJournal({ name: 'db-outage', kind: 'chaos', beads: 60 });
const passing = buildJournal({ name: 'steady', kind: 'load', beads: 60, violations: false, faults: [], thresholds: { 'latency.p99': '< 1m' } });
const errored = {
  ...buildJournal({ name: 'boot-fails', kind: 'chaos', beads: 20 }),
  verdict: 'error',
  error: { code: 'HARN_ENV_START', message: 'surreal did not start', phase: 'environment' },
  phases: [{ name: 'environment', ms: 1200, error: 'HARN_ENV_START: port in use' }],
  teardown: [{ step: 'toxiproxy', error: 'ECONNREFUSED' }],
};

describe('buildJunitXml', () => {
  it('writes one suite per kind, one case per scenario, with counts and times', () => {
    expect(failing.verdict).toBe('fail');
    expect(passing.verdict).toBe('pass');
    const root = parseXml(buildJunitXml([failing, passing, errored]));
    expect(root.name).toBe('testsuites');
    expect(root.attrs).toMatchObject({ tests: '3', failures: '1', errors: '1' });
    const suites = findAll(root, 'testsuite');
    expect(suites.map((s) => [s.attrs.name, s.attrs.tests, s.attrs.failures, s.attrs.errors])).toEqual([
      ['chaos', '2', '1', '1'],
      ['load', '1', '0', '0'],
    ]);
    const outage = findAll(root, 'testcase').find((c) => c.attrs.name === 'db-outage')!;
    expect(outage.attrs).toMatchObject({
      classname: 'oya.chaos',
      file: 'scenarios/chaos/db-outage.yaml',
      time: ((failing.durationMs as number) / 1000).toFixed(3),
    });
  });

  it("still writes the suite when a journal's startedAt is unreadable (it is left out, not thrown)", () => {
    const odd = { ...passing, startedAt: 'yesterday-ish' };
    const root = parseXml(buildJunitXml([odd, failing]));
    expect(root.attrs).toMatchObject({ tests: '2', failures: '1' });
    expect(findAll(root, 'testcase')).toHaveLength(2);
  });

  it('lists failed gates (expected vs actual) and violated checks with their first witness', () => {
    const root = parseXml(buildJunitXml([failing]));
    const failure = findAll(root, 'failure')[0]!;
    const failedGates = (failing.gates as { name: string; pass: boolean; expected: string; actual: string }[]).filter((g) => !g.pass);
    expect(failedGates.length).toBeGreaterThan(0);
    expect(failure.attrs.message).toContain(`${failedGates.length} of ${(failing.gates as unknown[]).length} gates failed`);
    for (const g of failedGates) expect(failure.text).toContain(`✗ ${g.name}: expected ${g.expected}, actual ${g.actual}`);
    const checks = (failing.checks as { checks: Record<string, { violations: { message: string }[] }> }).checks;
    expect(failure.text).toContain(`eventGaps: 1 violation, first: ${checks.eventGaps!.violations[0]!.message}`);
    expect(failure.text).toContain(`doubleSideEffects: 1 violation, first: ${checks.doubleSideEffects!.violations[0]!.message}`);
    expect(findAll(root, 'error')).toEqual([]);
  });

  it('reports an errored run as <error> with its code, phase errors and teardown failures', () => {
    const error = findAll(parseXml(buildJunitXml([errored])), 'error')[0]!;
    expect(error.attrs.type).toBe('HARN_ENV_START');
    expect(error.attrs.message).toBe('HARN_ENV_START: surreal did not start (phase: environment)');
    expect(error.text).toContain('phase environment: HARN_ENV_START: port in use');
    expect(error.text).toContain('teardown toxiproxy: ECONNREFUSED');
  });

  it('points system-out at the HTML report and the journal', () => {
    const out = findAll(parseXml(buildJunitXml([passing], { reportDir: 'out/reports' })), 'system-out')[0]!;
    expect(out.text).toContain('report: out/reports/load/steady.html');
    expect(out.text).toContain('journal: out/reports/load/steady.json');
    expect(out.text).toContain('orchestratorLog: reports/load/steady.orchestrator.log');
    expect(findAll(parseXml(buildJunitXml([passing])), 'failure')).toEqual([]);
  });

  it('stays well-formed with hostile names, messages and errors, and keeps their text', () => {
    const hostile = buildJournal({ name: `evil ${EVIL}`, kind: `k${EVIL}`, beads: 20, witnessText: EVIL });
    const hostileError = { ...errored, error: { code: 'HARN_X', message: EVIL } };
    const xml = buildJunitXml([hostile, hostileError]);
    const root = parseXml(xml);
    const names = findAll(root, 'testcase').map((c) => c.attrs.name);
    // Forbidden characters (NUL, ESC, the lone surrogate) become U+FFFD; everything else survives.
    // eslint-disable-next-line no-control-regex -- NUL and ESC are the characters XML forbids, which this test is about
    const survivable = EVIL.replace(/[\x00\x1b\ud800]/g, '\ufffd');
    expect(names).toContain(`evil ${survivable}`);
    expect(findAll(root, 'failure')[0]!.text).toContain(survivable);
    expect(findAll(root, 'error')[0]!.attrs.message).toBe(`HARN_X: ${survivable}`);
    expect(xml).not.toContain(']]>');
  });

  it('turns something that is not a journal into a visible error case', () => {
    const root = parseXml(buildJunitXml([{ nope: true }]));
    expect(findAll(root, 'testsuite')[0]!.attrs.name).toBe('invalid');
    expect(findAll(root, 'error')[0]!.attrs.message).toContain('no scenario.name');
  });

  it('writes an empty but valid document for no journals', () => {
    expect(parseXml(buildJunitXml([])).attrs).toMatchObject({ tests: '0', failures: '0', errors: '0' });
  });
});

describe('writeJunit', () => {
  it('writes reports/junit.xml atomically, creating the folder', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'oya-junit-'));
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    const path = await writeJunit([failing, passing], join(dir, 'reports', 'junit.xml'));
    const root = parseXml(await readFile(path, 'utf8'));
    expect(findAll(root, 'testcase')).toHaveLength(2);
    expect(findAll(root, 'system-out')[0]!.text).toContain(`report: ${join(dir, 'reports', 'chaos', 'db-outage.html')}`);
  });
});

describe('the XML checker itself', () => {
  it.each([
    ['<a>x < y</a>', /unescaped|tag/],
    ['<a>x & y</a>', /bare &/],
    ['<a>&nbsp;</a>', /unknown entity/],
    ['<a><b></a></b>', /closes/],
    ['<a x="1" x="2"/>', /duplicate/],
    ['<a/><b/>', /second root/],
    ['<a>\x01</a>', /forbidden/],
    ['<a>', /unclosed/],
  ])('rejects %j', (xml, message) => {
    expect(() => parseXml(xml)).toThrow(message);
  });

  it('round-trips what the escapers write', () => {
    const root = parseXml(`<a t="${escapeXmlAttr(EVIL)}">${escapeXmlText(EVIL)}</a>`);
    // eslint-disable-next-line no-control-regex -- NUL and ESC are the characters XML forbids, which this test is about
    const survivable = EVIL.replace(/[\x00\x1b\ud800]/g, '\ufffd');
    expect(root.attrs.t).toBe(survivable);
    expect(root.text).toBe(survivable);
  });
});
