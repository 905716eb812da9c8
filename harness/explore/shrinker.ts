/**
 * The shrinker: greedy delta debugging over a failing draft. It tries one reduction at a time —
 * fewer faults (ddmin: halves first, then single faults), fewer phases, fewer beads, fewer
 * workload features, shorter fault windows, earlier fault times, simpler agent scripts — keeps
 * each candidate the oracle says still fails THE SAME WAY, and stops at a draft no single
 * reduction can shrink (1-minimal, as Zeller's ddmin) or when its test budget is spent.
 *
 * The oracle is a parameter (explore runs the scenario and compares failing gates; the unit test
 * passes a synthetic predicate), and so is validity: a candidate the scenario loader would refuse
 * (a fault target naming a dropped bead, a step past the script's end) is never run.
 */
import { duration, millis, type Draft, type DraftFault, type DraftPhase } from './draft.ts';

/** One reduction: what it does (stable text, used in logs and to skip what already failed) and the smaller draft. */
export interface Reduction {
  what: string;
  draft: Draft;
}

/** Options of {@link shrinkDraft}. */
export interface ShrinkOptions {
  /** Does this smaller draft still fail the same way? (explore: run it and compare the failing gates). */
  stillFails(draft: Draft): Promise<boolean>;
  /** Would the scenario loader accept it? Invalid candidates are skipped without a test. */
  isValid(draft: Draft): boolean;
  /**
   * Applied to every candidate before it is checked and tested: what follows from the smaller
   * draft (explore: the `expect:` a generated workload implies, withDerivedExpect). @default identity
   */
  derive?(draft: Draft): Draft;
  /** Most oracle calls. @default 40 */
  maxTests?: number;
  /** Polled before each test: true stops the shrink (a budget ran out). @default never */
  shouldStop?(): boolean;
  /** Called after each test. */
  onTest?(event: { what: string; fails: boolean; tests: number; draft: Draft }): void;
}

/** What the shrink did. */
export interface ShrinkResult {
  /** The smallest draft that still failed (the input when nothing smaller did). */
  draft: Draft;
  /** Oracle calls made. */
  tests: number;
  /** Reductions kept, in order. */
  accepted: string[];
  /** False when the budget or maxTests stopped it before a fixpoint. */
  complete: boolean;
}

/** Shortest window and earliest `at` a reduction goes to (ms). */
export const MIN_WINDOW_MS = 200;
export const MIN_AT_MS = 100;

/** Shrinks `draft` while the oracle says it still fails. */
export async function shrinkDraft(draft: Draft, options: ShrinkOptions): Promise<ShrinkResult> {
  const maxTests = options.maxTests ?? 40;
  let current = draft;
  let tests = 0;
  const accepted: string[] = [];
  const stopped = (): boolean => tests >= maxTests || options.shouldStop?.() === true;
  // A pass tries every reduction of the current draft once; a kept one restarts the scan on the
  // smaller draft, skipping what already failed in this pass. A pass that kept something is
  // followed by another (a reduction that failed before may pass on the smaller draft).
  for (;;) {
    const failed = new Set<string>();
    let keptThisPass = false;
    let kept = true;
    while (kept) {
      kept = false;
      for (const reduction of reductions(current)) {
        const candidate = options.derive ? { ...reduction, draft: options.derive(reduction.draft) } : reduction;
        if (failed.has(candidate.what) || !options.isValid(candidate.draft)) continue;
        if (stopped()) return { draft: current, tests, accepted, complete: false };
        tests++;
        const fails = await options.stillFails(candidate.draft);
        options.onTest?.({ what: candidate.what, fails, tests, draft: candidate.draft });
        if (fails) {
          current = candidate.draft;
          accepted.push(candidate.what);
          kept = keptThisPass = true;
          break;
        }
        failed.add(candidate.what);
      }
    }
    if (!keptThisPass) return { draft: current, tests, accepted, complete: true };
  }
}

/**
 * Every single-step reduction of a draft, most effective first: fewer faults and phases, fewer
 * workers (less parallelism keeps contention failures such as a priority inversion failing with
 * fewer beads), fewer beads (every phase's), then simpler scripts, features and fault windows —
 * so a budget that ends the shrink early ends it on the fewest beads it could reach.
 */
export function* reductions(draft: Draft): Generator<Reduction> {
  yield* fewerFaults(draft);
  yield* fewerPhases(draft);
  yield* simplerSystem(draft);
  for (let i = 0; i < draft.workload.length; i++) yield* fewerBeads(draft, i);
  for (let i = 0; i < draft.workload.length; i++) yield* simplerPhase(draft, i);
  for (let i = 0; i < draft.faults.length; i++) yield* smallerFault(draft, i);
}

const label = (f: DraftFault): string => `${f.do} at ${f.at}`;

/** ddmin over the timeline: drop halves, then quarters…, then single faults (a chaos scenario keeps one). */
function* fewerFaults(draft: Draft): Generator<Reduction> {
  const n = draft.faults.length;
  const min = draft.kind === 'chaos' ? 1 : 0;
  for (let size = Math.max(1, Math.floor(n / 2)); n > 0 && size >= 1; size = size === 1 ? 0 : Math.max(1, Math.floor(size / 2))) {
    for (let from = 0; from + size <= n; from += size) {
      if (n - size < min) continue;
      const dropped = draft.faults.slice(from, from + size);
      yield {
        what: `drop fault${size > 1 ? 's' : ''} ${dropped.map(label).join(', ')}`,
        draft: { ...draft, faults: draft.faults.filter((_, i) => i < from || i >= from + size) },
      };
    }
  }
}

function* fewerPhases(draft: Draft): Generator<Reduction> {
  if (draft.workload.length < 2) return;
  for (let i = 0; i < draft.workload.length; i++) {
    const phase = draft.workload[i]!;
    const workload = draft.workload.filter((_, j) => j !== i);
    // Faults aimed at a bead of the dropped workflow aim at a random worker instead.
    const faults = phase.workflow ? retarget(draft.faults, (t) => t.startsWith(`${phase.workflow!.name}.`)) : draft.faults;
    yield {
      what: `drop phase ${describePhase(phase)}`,
      draft: { ...draft, workload: workload.map((p, j) => (j === 0 && p.start !== undefined ? omit(p, 'start') : p)), faults },
    };
  }
}

/** `draft` with phase `i` replaced (and the faults, when given). */
const putPhase = (draft: Draft, i: number, next: DraftPhase, faults = draft.faults): Draft => ({
  ...draft,
  workload: draft.workload.map((p, j) => (j === i ? next : p)),
  faults,
});

/** Phase `i` with fewer beads: half or one less, one workflow instance, a workflow bead dropped. */
function* fewerBeads(draft: Draft, i: number): Generator<Reduction> {
  const phase = draft.workload[i]!;
  const at = `workload[${i}]`;
  const put = (next: DraftPhase, faults = draft.faults): Draft => putPhase(draft, i, next, faults);
  if (phase.beads !== undefined && phase.beads > 1) {
    const half = Math.max(1, Math.floor(phase.beads / 2));
    yield { what: `${at}.beads ${phase.beads} → ${half}`, draft: put({ ...phase, beads: half }) };
    if (half !== phase.beads - 1) yield { what: `${at}.beads ${phase.beads} → ${phase.beads - 1}`, draft: put({ ...phase, beads: phase.beads - 1 }) };
  }
  if (phase.workflow) {
    const wf = phase.workflow;
    if ((phase.count ?? 1) > 1) yield { what: `${at}.count ${phase.count} → 1`, draft: put(omit(phase, 'count')) };
    if (wf.beads.length > 1) {
      for (const bead of wf.beads) {
        const beads = wf.beads
          .filter((b) => b.id !== bead.id)
          .map((b) => {
            const deps = (b.dependsOn ?? []).filter((d) => d !== bead.id);
            return deps.length > 0 ? { ...b, dependsOn: deps } : omit(b, 'dependsOn');
          });
        const next = { ...phase, workflow: { ...wf, beads } };
        yield {
          what: `${at} drop bead ${wf.name}.${bead.id}`,
          draft: put(
            phase.cancel?.bead === bead.id ? omit(next, 'cancel') : next,
            retarget(draft.faults, (t) => t === `${wf.name}.${bead.id}`),
          ),
        };
      }
    }
  }
}

/** Phase `i` simpler: a script without its trouble or with fewer steps, a feature dropped, an earlier start. */
function* simplerPhase(draft: Draft, i: number): Generator<Reduction> {
  const phase = draft.workload[i]!;
  const at = `workload[${i}]`;
  const put = (next: DraftPhase): Draft => putPhase(draft, i, next);
  if (phase.workflow) {
    const wf = phase.workflow;
    for (let j = 0; j < wf.beads.length; j++) {
      const bead = wf.beads[j]!;
      for (const [what, agent] of simplerAgent(bead.agent)) {
        const beads = wf.beads.map((b, k) => (k === j ? (agent === undefined ? omit(b, 'agent') : { ...b, agent }) : b));
        yield { what: `${at} ${wf.name}.${bead.id} ${what}`, draft: put({ ...phase, workflow: { ...wf, beads } }) };
      }
    }
  }
  const features = ['cancel', 'duplicateAfter', 'duplicates', 'retry', 'rate', 'priority', 'start'] as const;
  for (const key of features) {
    // duplicateAfter needs duplicates: both go together.
    const without = key === 'duplicates' ? omit(omit(phase, 'duplicates'), 'duplicateAfter') : omit(phase, key);
    if (phase[key] !== undefined) yield { what: `${at} without ${key}`, draft: put(without) };
  }
  if (phase.start !== undefined && millis(phase.start) > MIN_AT_MS) {
    const earlier = duration(Math.floor(millis(phase.start) / 200) * 100);
    yield { what: `${at}.start ${phase.start} → ${earlier}`, draft: put({ ...phase, start: earlier }) };
  }
  for (const [what, agent] of simplerAgent(phase.agent))
    yield { what: `${at}.agent ${what}`, draft: put(agent === undefined ? omit(phase, 'agent') : { ...phase, agent }) };
}

/** A script without its scripted trouble, and with fewer steps (the loader refuses a step past the end). */
function* simplerAgent(agent: Record<string, unknown> | undefined): Generator<[string, Record<string, unknown> | undefined]> {
  if (agent === undefined) return;
  for (const key of ['crashAt', 'slowSteps', 'hangAt'] as const) if (agent[key] !== undefined) yield [`without ${key}`, omit(agent, key)];
  if (agent.failAt !== undefined) yield ['without failAt', omit(omit(agent, 'failAt'), 'failTimes')];
  if (typeof agent.steps === 'number' && agent.steps > 1) yield [`steps ${agent.steps} → ${agent.steps - 1}`, { ...agent, steps: agent.steps - 1 }];
}

function* smallerFault(draft: Draft, i: number): Generator<Reduction> {
  const fault = draft.faults[i]!;
  const put = (next: DraftFault): Draft => ({ ...draft, faults: draft.faults.map((f, j) => (j === i ? next : f)) });
  if (fault.for !== undefined) {
    const window = millis(fault.for);
    // Instant kinds (db.kill, orchestrator.kill, …) may drop the window; the loader refuses it for the rest.
    yield { what: `${label(fault)} without for`, draft: put(omit(fault, 'for')) };
    if (window > MIN_WINDOW_MS) {
      const shorter = duration(Math.max(MIN_WINDOW_MS, Math.floor(window / 200) * 100));
      yield { what: `${label(fault)} for ${fault.for} → ${shorter}`, draft: put({ ...fault, for: shorter }) };
    }
  }
  const at = millis(fault.at);
  if (at > MIN_AT_MS) {
    const earlier = duration(Math.max(MIN_AT_MS, Math.floor(at / 200) * 100));
    yield { what: `${label(fault)} → at ${earlier}`, draft: put({ ...fault, at: earlier }) };
  }
  if (typeof fault.count === 'number' && fault.count > 1) yield { what: `${label(fault)} count ${fault.count} → 1`, draft: put(omit(fault, 'count')) };
  // A target is a string (the loader's checkTarget): `busiest`, a worker, a workflow bead.
  if (typeof fault.target === 'string' && fault.target !== 'random')
    yield { what: `${label(fault)} target ${fault.target} → random`, draft: put({ ...fault, target: 'random' }) };
}

function* simplerSystem(draft: Draft): Generator<Reduction> {
  // The admin hooks were switched on for an actors.kill the shrink has since dropped.
  if (draft.system.admin === true && !draft.faults.some((f) => f.do === 'actors.kill'))
    yield { what: 'system without admin', draft: { ...draft, system: omit(draft.system, 'admin') } };
  const workers = draft.system.workers;
  if (typeof workers === 'number' && workers > 1)
    yield { what: `system.workers ${workers} → ${workers - 1}`, draft: { ...draft, system: { ...draft.system, workers: workers - 1 } } };
}

/** Faults whose target matches aim at a random worker instead. */
function retarget(faults: DraftFault[], matches: (target: string) => boolean): DraftFault[] {
  return faults.map((f) => (typeof f.target === 'string' && matches(f.target) ? { ...f, target: 'random' } : f));
}

function describePhase(phase: DraftPhase): string {
  return phase.workflow ? `workflow ${phase.workflow.name}` : phase.beads !== undefined ? `${phase.beads} beads` : 'invalid requests';
}

function omit<T extends object>(value: T, key: string): T {
  const { [key]: _dropped, ...rest } = value as Record<string, unknown>;
  return rest as T;
}
