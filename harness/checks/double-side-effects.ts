/**
 * doubleSideEffects — step accounting: every step of a bead's script applied exactly once,
 * except the one repeat a lost attempt makes unavoidable.
 *
 * The simulated agent records every APPLICATION of a step's side effect (`<beadId>:<step>`) and
 * never deduplicates. Read against the harness fold of the log, per bead:
 *
 * - `applied-twice`: an application of a step that was already applied, one violation per extra
 *   application (a step applied 10 times is 9 violations). The one tolerated repeat: the first
 *   step (`fromStep + 1`) of an attempt that resumed after a LOST attempt (one that ended without
 *   BeadSucceeded) which had applied that step, when the log held no checkpoint of that step at
 *   the resume — once per resumed attempt.
 *   Each tolerated repeat is listed in `tolerated` with why.
 * - `step-not-applied`: a succeeded bead has no application of some step 1..N (N from its
 *   definition: the agent script's `steps`).
 * - `checkpoint-missing`: a succeeded bead's log has no StepCheckpointed for some step 1..N.
 * - `resume-not-at-checkpoint`: a BeadStarted whose `fromStep` is not the highest step
 *   checkpointed before it.
 *
 * `unknown` (never valid) without side-effect records, or when no violation was found but a bead
 * could not be decided: no events, a succeeded bead without a step count, or a succeeded bead with
 * no side-effect record at all (records missing, not steps skipped).
 */
import { foldLog, type FoldedBead } from './fold.ts';
import { resolveDefinitions } from './definitions.ts';
import { prepare } from './prepare.ts';
import type { CheckEvent, CheckInput, CheckResult, SideEffect, Tolerated, Violation } from './types.ts';

/** One attempt of a bead as the log tells it. */
interface Attempt {
  number: number;
  fromStep: number;
  start: CheckEvent;
  /** Ended with BeadSucceeded. Any other end (or none before the next start) is a lost attempt. */
  succeeded: boolean;
  /** Steps the log had checkpointed before this attempt started. */
  checkpointedBefore: ReadonlySet<number>;
}

/** Accounts every step application of every bead. */
export function checkDoubleSideEffects(input: CheckInput): CheckResult {
  const p = prepare(input);
  if (p.sideEffects === undefined) {
    return { name: 'doubleSideEffects', valid: 'unknown', violations: [], counts: { keys: 0, applications: 0 } };
  }
  const byBead = new Map<string, SideEffect[]>();
  for (const record of p.sideEffects) {
    let list = byBead.get(record.beadId);
    if (list === undefined) byBead.set(record.beadId, (list = []));
    list.push(record);
  }
  const fold = p.events === undefined ? undefined : foldLog(p.events, p.vocab);
  const definitions = resolveDefinitions(input.definitions, p.events, p.vocab);
  const violations: Violation[] = [];
  const tolerated: Tolerated[] = [];
  const undecided = new Map<string, string>();
  const ids = new Set([...byBead.keys(), ...(fold?.beads.keys() ?? [])]);
  for (const beadId of [...ids].sort()) {
    const records = byBead.get(beadId) ?? [];
    const bead = fold?.beads.get(beadId);
    if (bead === undefined) {
      if (fold === undefined) undecided.set(beadId, 'no events: which attempts were lost is unknown');
      doubles(beadId, records, [], violations, tolerated);
      continue;
    }
    const attempts = attemptsOf(bead);
    doubles(beadId, records, attempts, violations, tolerated);
    resumes(bead, violations);
    if (bead.status !== 'succeeded') continue;
    const steps = definitions.get(beadId)?.steps;
    if (steps === undefined) {
      undecided.set(beadId, 'its step count is unknown (no definition, no input.agent.steps in BeadSubmitted)');
      continue;
    }
    if (records.length === 0 && steps > 0) {
      undecided.set(beadId, 'no side-effect record at all for a succeeded bead: records missing or unreadable');
    } else {
      coverage(beadId, steps, new Set(records.map((r) => r.step)), 'step-not-applied', 'has no side-effect application of step', bead, violations);
    }
    const checkpointed = new Set(bead.events.filter((e) => e.type === 'StepCheckpointed').map((e) => (e.data as { step?: number }).step));
    coverage(beadId, steps, checkpointed, 'checkpoint-missing', 'has no StepCheckpointed for step', bead, violations);
  }
  return {
    name: 'doubleSideEffects',
    valid: violations.length > 0 ? false : undecided.size > 0 ? 'unknown' : true,
    violations,
    counts: {
      keys: new Set(p.sideEffects.map((r) => r.key)).size,
      applications: p.sideEffects.length,
      doubled: violations.filter((v) => v.kind === 'applied-twice').length,
      tolerated: tolerated.length,
      undecided: undecided.size,
    },
    ...(tolerated.length > 0 ? { tolerated } : {}),
    ...(undecided.size > 0 ? { undecided: Object.fromEntries([...undecided].slice(0, 20)) } : {}),
  };
}

/** Attempts from the bead's BeadStarted events and what ended each one. */
function attemptsOf(bead: FoldedBead): Attempt[] {
  const out: Attempt[] = [];
  const checkpointed = new Set<number>();
  for (const event of bead.events) {
    const data = (event.data ?? {}) as { attempt?: unknown; fromStep?: unknown; step?: unknown };
    if (event.type === 'StepCheckpointed' && typeof data.step === 'number') checkpointed.add(data.step);
    if (event.type === 'BeadStarted') {
      const number = typeof data.attempt === 'number' ? data.attempt : out.length + 1;
      out.push({
        number,
        fromStep: typeof data.fromStep === 'number' ? data.fromStep : 0,
        start: event,
        succeeded: false,
        checkpointedBefore: new Set(checkpointed),
      });
    } else if (event.type === 'BeadSucceeded' && out.length > 0) {
      out[out.length - 1]!.succeeded = true;
    }
  }
  return out;
}

/** Every application after a step's first is a violation unless it is the one repeat a lost attempt allows. */
function doubles(beadId: string, records: SideEffect[], attempts: Attempt[], violations: Violation[], tolerated: Tolerated[]): void {
  const byStep = new Map<number, SideEffect[]>();
  for (const r of records) {
    let list = byStep.get(r.step);
    if (list === undefined) byStep.set(r.step, (list = []));
    list.push(r);
  }
  const used = new Set<number>(); // resumed attempts that already spent their one tolerated repeat
  for (const [step, list] of [...byStep].sort((a, b) => a[0] - b[0])) {
    list.sort((a, b) => a.attempt - b.attempt || order(a.at) - order(b.at));
    for (let i = 1; i < list.length; i++) {
      const before = list[i - 1]!;
      const again = list[i]!;
      const lost = attempts.find((a) => a.number === before.attempt);
      const resumed = attempts.find((a) => a.number === again.attempt);
      const why =
        lost !== undefined &&
        resumed !== undefined &&
        before.attempt < again.attempt &&
        !lost.succeeded &&
        step === resumed.fromStep + 1 &&
        !resumed.checkpointedBefore.has(step) &&
        !used.has(again.attempt)
          ? `attempt ${before.attempt} was lost after applying step ${step} without checkpointing it; attempt ${again.attempt} resumed from checkpoint ${resumed.fromStep}`
          : undefined;
      if (why !== undefined) {
        used.add(again.attempt);
        tolerated.push({ beadId, key: again.key, reason: why });
        continue;
      }
      violations.push({
        kind: 'applied-twice',
        beadId,
        message: `side effect ${again.key} was applied ${i + 1} times: again by attempt ${again.attempt} pid ${again.pid} (before: attempt ${before.attempt} pid ${before.pid})${explain(before, again, lost, resumed)}`,
        witness: { sideEffects: [before, again] },
      });
    }
  }
}

function explain(before: SideEffect, again: SideEffect, lost: Attempt | undefined, resumed: Attempt | undefined): string {
  if (before.attempt === again.attempt) return ': twice within one attempt';
  if (lost === undefined || resumed === undefined) return ': an attempt the log does not hold';
  if (lost.succeeded) return `: attempt ${before.attempt} had succeeded`;
  if (again.step !== resumed.fromStep + 1)
    return `: attempt ${again.attempt} resumed from checkpoint ${resumed.fromStep}, so step ${again.step} was already done`;
  if (resumed.checkpointedBefore.has(again.step)) return `: step ${again.step} was already checkpointed when attempt ${again.attempt} started`;
  return `: attempt ${again.attempt} already repeated one step`;
}

/** Each start resumes at the highest step checkpointed before it. */
function resumes(bead: FoldedBead, violations: Violation[]): void {
  let highest = 0;
  let lastCheckpoint: CheckEvent | undefined;
  for (const event of bead.events) {
    const data = (event.data ?? {}) as { step?: unknown; fromStep?: unknown };
    if (event.type === 'StepCheckpointed' && typeof data.step === 'number' && data.step >= highest) {
      highest = data.step;
      lastCheckpoint = event;
    }
    if (event.type !== 'BeadStarted') continue;
    const from = typeof data.fromStep === 'number' ? data.fromStep : 0;
    if (from === highest) continue;
    violations.push({
      kind: 'resume-not-at-checkpoint',
      beadId: bead.beadId,
      message: `bead ${bead.beadId}: ${event.type}@${event.seq} resumes from step ${from} but the highest checkpoint before it is ${highest}`,
      witness: { events: lastCheckpoint === undefined ? [event] : [lastCheckpoint, event] },
    });
  }
}

function coverage(beadId: string, steps: number, have: Set<unknown>, kind: string, what: string, bead: FoldedBead, violations: Violation[]): void {
  const missing: number[] = [];
  for (let step = 1; step <= steps; step++) if (!have.has(step)) missing.push(step);
  if (missing.length === 0) return;
  violations.push({
    kind,
    beadId,
    message: `succeeded bead ${beadId} (${steps} steps) ${what}${missing.length > 1 ? 's' : ''} ${missing.join(', ')}`,
    witness: { events: bead.terminal === undefined ? [] : [bead.terminal] },
  });
}

function order(at: string | number): number {
  return typeof at === 'number' ? at : Date.parse(at) || 0;
}
