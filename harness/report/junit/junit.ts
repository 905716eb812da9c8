/**
 * JUnit XML for CI (reports/junit.xml): one <testsuite> per scenario kind (lane), one <testcase>
 * per scenario run. A failed verdict is a <failure> listing every failed gate (expected vs actual)
 * and every violated check with its first witness message; an errored run is an <error> with the
 * error's code and message; <system-out> points at the run's HTML report and journal.
 *
 * Journals are read with the HTML report's tolerant reader, so a half-written journal (a run that
 * errored early) still becomes a readable testcase instead of breaking the CI report.
 */
import { mkdir, rename, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { JournalInput } from '../compare/journal-metrics.ts';
import { toJournalView, type JournalView } from '../html/journal-view.ts';
import { element, text } from './xml.ts';

/** Options of {@link buildJunitXml} / {@link writeJunit}. */
export interface JunitOptions {
  /** Where the journals and HTML pages live, for the paths in <system-out>. @default dirname(path), else `reports` */
  reportDir?: string;
  /** The `name` of <testsuites>. @default 'oya' */
  name?: string;
}

/** One scenario run, judged for JUnit. */
interface CaseResult {
  kind: string;
  xml: string;
  failed: boolean;
  errored: boolean;
  seconds: number;
  startedAt?: string;
}

/** The JUnit XML document for `journals` (pure). */
export function buildJunitXml(journals: readonly JournalInput[], options: JunitOptions = {}): string {
  const reportDir = options.reportDir ?? 'reports';
  const cases = journals.map((journal, i) => caseOf(journal, i, reportDir));
  const kinds = [...new Set(cases.map((c) => c.kind))].sort();
  const suites = kinds.map((kind) =>
    suiteXml(
      kind,
      cases.filter((c) => c.kind === kind),
    ),
  );
  const root = element('testsuites', { name: options.name ?? 'oya', ...counts(cases) }, suites.length === 0 ? [] : ['\n', ...suites.map((s) => `${s}\n`)]);
  return `<?xml version="1.0" encoding="UTF-8"?>\n${root}\n`;
}

/** Writes {@link buildJunitXml} to `path` atomically (temp file + rename), creating its folder. Returns `path`. */
export async function writeJunit(journals: readonly JournalInput[], path = join('reports', 'junit.xml'), options: JunitOptions = {}): Promise<string> {
  const xml = buildJunitXml(journals, { reportDir: dirname(path), ...options });
  await mkdir(dirname(path), { recursive: true });
  const tmp = `${path}.${process.pid}.tmp`;
  await writeFile(tmp, xml);
  await rename(tmp, path);
  return path;
}

function counts(cases: readonly CaseResult[]): Record<string, string | number> {
  return {
    tests: cases.length,
    failures: cases.filter((c) => c.failed).length,
    errors: cases.filter((c) => c.errored).length,
    skipped: 0,
    time: cases.reduce((sum, c) => sum + c.seconds, 0).toFixed(3),
  };
}

function suiteXml(kind: string, cases: readonly CaseResult[]): string {
  const timestamps = cases
    .map((c) => c.startedAt)
    .filter((t): t is string => t !== undefined)
    .sort();
  return element('testsuite', { name: kind, ...counts(cases), ...(timestamps[0] ? { timestamp: timestamps[0] } : {}) }, [
    '\n',
    ...cases.map((c) => `  ${c.xml}\n`),
  ]);
}

function caseOf(journal: JournalInput, index: number, reportDir: string): CaseResult {
  let view: JournalView;
  try {
    view = toJournalView(journal, `journal[${index}]`);
  } catch (err) {
    // Not a journal at all: still one visible testcase, so CI shows it instead of a parse error.
    const message = (err as Error).message;
    const error = element('error', { message, type: 'invalid-journal' }, [text(message)]);
    const xml = element('testcase', { name: `journal[${index}]`, classname: 'oya.invalid', time: '0.000' }, [error]);
    return { kind: 'invalid', xml, failed: false, errored: true, seconds: 0 };
  }
  const { name, kind } = view.scenario;
  const seconds = Math.max(0, (view.durationMs ?? 0) / 1000);
  const outcome = view.verdict === 'error' ? errorXml(view) : view.verdict === 'fail' ? failureXml(view) : undefined;
  const xml = element('testcase', { name, classname: `oya.${kind}`, ...(view.scenario.file ? { file: view.scenario.file } : {}), time: seconds.toFixed(3) }, [
    ...(outcome ? [outcome] : []),
    element('system-out', {}, [text(systemOut(view, reportDir))]),
  ]);
  // A journal's own startedAt may be anything (hand-edited, truncated): an unreadable one is left out, not thrown.
  const started = view.startedAt === undefined ? Number.NaN : new Date(view.startedAt).getTime();
  const startedAt = Number.isNaN(started) ? undefined : new Date(started).toISOString().slice(0, 19);
  const verdict = { failed: view.verdict === 'fail', errored: view.verdict === 'error' };
  return { kind, xml, ...verdict, seconds, ...(startedAt !== undefined ? { startedAt } : {}) };
}

function failureXml(view: JournalView): string {
  const failedGates = view.gates.filter((g) => !g.pass);
  const violated = violatedChecks(view);
  const checksNote = violated.length > 0 ? `; ${violated.length} check${violated.length === 1 ? '' : 's'} violated` : '';
  const message = `${failedGates.length} of ${view.gates.length} gates failed${checksNote}`;
  const lines = [
    ...(failedGates.length > 0
      ? ['Failed gates:', ...failedGates.map((g) => `  ✗ ${g.key}: expected ${g.expected}, actual ${g.actual}`)]
      : ['The verdict is fail.']),
    ...(violated.length > 0 ? ['Violated checks:', ...violated.map((v) => `  ${v}`)] : []),
  ];
  const firstGate = failedGates[0];
  const summary = firstGate ? `${message}: ${firstGate.key} expected ${firstGate.expected}, actual ${firstGate.actual}` : message;
  return element('failure', { message: summary, type: 'gates' }, [text(lines.join('\n'))]);
}

function errorXml(view: JournalView): string {
  const message = view.error ?? 'the run errored (no error recorded)';
  const code = /^([A-Z][A-Z0-9_]+):/.exec(message)?.[1];
  const details = [message, ...view.phases.filter((p) => p.error).map((p) => `phase ${p.name}: ${p.error}`), ...view.teardown.map((t) => `teardown ${t}`)];
  return element('error', { message, type: code ?? 'error' }, [text(details.join('\n'))]);
}

/** `name: N violation(s), first: <message>` for each check that found something. */
function violatedChecks(view: JournalView): string[] {
  if (view.checks === undefined) return [];
  return Object.values(view.checks.checks)
    .filter((c) => c.valid === false || c.violations.length > 0)
    .map((c) => {
      const first = c.violations[0] ? `, first: ${c.violations[0].message}` : '';
      return `${c.name}: ${c.violations.length} violation${c.violations.length === 1 ? '' : 's'}${first}`;
    });
}

function systemOut(view: JournalView, reportDir: string): string {
  const { kind, name } = view.scenario;
  const lines = [
    `verdict: ${view.verdict}`,
    `report: ${join(reportDir, kind, `${name}.html`)}`,
    `journal: ${join(reportDir, kind, `${name}.json`)}`,
    ...Object.entries(view.artifacts).map(([label, path]) => `${label}: ${path}`),
  ];
  // A passing run may still carry violations its gates allow (`doubleSideEffects: 2`): say so.
  if (view.verdict === 'pass') lines.push(...violatedChecks(view).map((v) => `allowed: ${v}`));
  return lines.join('\n');
}
