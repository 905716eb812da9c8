/**
 * The proof table (proofs.ts) against what exists: every checker runChecks runs, and every failure
 * case REQUIRED_PROOFS names, has a defect that proves it in a self-check case; every row names a
 * real defect, a real checker or gate, a self-check case in a file that exists and runs it, and
 * the checks README lists it. A new checker without a proof fails here.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DEFECTS } from '../../system/defects.ts';
import { defectsProving, PROOFS, PROVEN_BY_LOGS_ONLY, PROVEN_GATES, REQUIRED_PROOFS, SELF_CHECK_FILES } from './proofs.ts';
import { CHECKERS } from './run-checks.ts';
import type { CheckName } from './types.ts';

const repoFile = (path: string) => readFileSync(new URL(`../../${path}`, import.meta.url), 'utf8');
const checkerNames = Object.keys(CHECKERS) as CheckName[];

describe('every checker is proven by a defect', () => {
  it.each(checkerNames)('%s has at least one proof', (name) => {
    expect(defectsProving(name), `harness/checks/proofs.ts has no defect that proves ${name}`).not.toEqual([]);
  });

  it.each(REQUIRED_PROOFS.map((r) => [r.check, r.kind ?? '(gate)'] as const))('%s %s has a proof', (check, kind) => {
    const rows = PROOFS.filter((p) => p.check === check && (kind === '(gate)' || p.kind === kind));
    expect(rows, `no proof of ${check} ${kind}`).not.toEqual([]);
  });

  it('every row names a known defect, checker or gate, and a kind exactly when it is a checker', () => {
    for (const proof of PROOFS) {
      expect(DEFECTS as readonly string[]).toContain(proof.defect);
      expect([...checkerNames, ...PROVEN_GATES] as string[]).toContain(proof.check);
      expect(proof.kind !== undefined, `${proof.check}: a checker row names its violation kind, a gate row none`).toBe(
        (checkerNames as string[]).includes(proof.check),
      );
    }
  });

  it('the checkers README states the violation kind of every row (so the kind is one a checker reports)', () => {
    const readme = repoFile('harness/checks/README.md');
    for (const proof of PROOFS) if (proof.kind !== undefined) expect(readme, proof.kind).toContain(`\`${proof.kind}\``);
  });

  it('every self-check case is run by the file the table names, with one defect per case', () => {
    for (const proof of PROOFS) {
      const file = SELF_CHECK_FILES[proof.selfCheck];
      expect(file, `SELF_CHECK_FILES has no file for case ${proof.selfCheck}`).toBeDefined();
      expect(repoFile(file!), `${file} does not define case ${proof.selfCheck}`).toContain(`name: '${proof.selfCheck}'`);
      const defects = new Set(PROOFS.filter((p) => p.selfCheck === proof.selfCheck).map((p) => p.defect));
      expect([...defects]).toEqual([proof.defect]);
    }
  });

  it('every violation kind the checks README documents is proven by a defect or listed as proven by logs only', () => {
    const kinds = documentedKinds(repoFile('harness/checks/README.md'));
    // The parse itself must work, or this test would pass on nothing.
    for (const name of checkerNames) expect(kinds.get(name)?.length ?? 0, `no kinds parsed for ${name}`).toBeGreaterThan(0);
    const proven = new Set(PROOFS.map((p) => p.kind));
    for (const [check, list] of kinds) {
      for (const kind of list) {
        expect(proven.has(kind) || kind in PROVEN_BY_LOGS_ONLY, `${check} ${kind}: no defect proves it and PROVEN_BY_LOGS_ONLY does not say why`).toBe(true);
      }
    }
    for (const kind of Object.keys(PROVEN_BY_LOGS_ONLY)) {
      expect(proven.has(kind), `${kind} is proven by a defect: drop it from PROVEN_BY_LOGS_ONLY`).toBe(false);
      expect([...kinds.values()].flat(), `${kind} is not a documented kind`).toContain(kind);
    }
  });

  it('the checks README table lists, for every checker, the defects that prove it', () => {
    const readme = repoFile('harness/checks/README.md');
    const table = readme.slice(readme.indexOf('## Which defect proves which checker'));
    for (const name of [...checkerNames, ...PROVEN_GATES]) {
      const row = table.split('\n').find((line) => line.startsWith(`| ${name} |`));
      expect(row, `README table has no row for ${name}`).toBeDefined();
      for (const defect of defectsProving(name)) expect(row, `${name} row`).toContain(`\`${defect}\``);
    }
  });
});

/**
 * The violation kinds of each `### \`<checker>\`` section of the README: the backticked names a
 * bullet starts with (`- \`a\`, \`b\`: …`).
 */
function documentedKinds(readme: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  let section: string | undefined;
  for (const line of readme.split('\n')) {
    const header = /^#{2,3} (?:`([A-Za-z]+)`)?/.exec(line);
    if (header) {
      section = header[1];
      continue;
    }
    const bullet = /^- ((?:`[A-Za-z-]+`(?:, )?)+)/.exec(line);
    if (section === undefined || bullet === null) continue;
    const names = [...bullet[1]!.matchAll(/`([A-Za-z-]+)`/g)].map((m) => m[1]!);
    out.set(section, [...(out.get(section) ?? []), ...names]);
  }
  return out;
}
