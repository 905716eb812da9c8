/**
 * doubleSideEffects — an external side effect applied more than once.
 *
 * The simulated agent records every application of a step's side effect under the key
 * `<beadId>:<step>` and never deduplicates, so a step that ran twice (a resume that ignored its
 * checkpoint, a zombie worker still running after its replacement started) shows up as one key
 * with two records, whatever attempt or process they came from.
 */
import { prepare } from './prepare.ts';
import type { CheckInput, CheckResult, SideEffect, Violation } from './types.ts';

/** Finds side-effect keys applied more than once. `unknown` when no side effects were given. */
export function checkDoubleSideEffects(input: CheckInput): CheckResult {
  const p = prepare(input);
  if (p.sideEffects === undefined) {
    return { name: 'doubleSideEffects', valid: 'unknown', violations: [], counts: { keys: 0, applications: 0 } };
  }
  const byKey = new Map<string, SideEffect[]>();
  for (const record of p.sideEffects) {
    let list = byKey.get(record.key);
    if (list === undefined) byKey.set(record.key, (list = []));
    list.push(record);
  }
  const violations: Violation[] = [];
  for (const [key, records] of byKey) {
    if (records.length < 2) continue;
    const who = records.map((r) => `attempt ${r.attempt} pid ${r.pid}`).join('; ');
    violations.push({
      kind: 'applied-twice',
      beadId: records[0]?.beadId,
      message: `side effect ${key} was applied ${records.length} times (${who})`,
      witness: { sideEffects: records },
    });
  }
  return {
    name: 'doubleSideEffects',
    valid: violations.length === 0,
    violations,
    counts: { keys: byKey.size, applications: p.sideEffects.length, doubled: violations.length },
  };
}
