/**
 * The generator: fast-check arbitraries that build VALID chaos scenarios from the documented
 * vocabulary (harness/scenario/README.md) — independent beads and DAG workflows, duplicates,
 * cancellations, client retries, scripted agent failures and crashes — and a random timeline of
 * possibly overlapping faults drawn only from the kinds the environment can inject (the
 * capability table, harness/runner/faults/registry.ts). Runs stay short: a few beads of a few
 * short steps, faults in the first seconds, so one run takes seconds and a budget of minutes
 * holds several runs and a shrink.
 *
 * `generateDraft(options, seed, index)` is a pure function of its arguments (fast-check's seeded
 * sampler), so the same `--seed` replays the same runs.
 */
import fc from 'fast-check';
import type { EnvironmentKind } from '../env/providers/types.ts';
import { FAULT_KINDS, whyKindUnsupported } from '../runner/faults/index.ts';
import {
  checkDraft,
  derivedExpect,
  duration,
  faultConflicts,
  millis,
  withDerivedExpect,
  type Draft,
  type DraftBead,
  type DraftFault,
  type DraftPhase,
} from './draft.ts';

/** What the generator may use. */
export interface GeneratorOptions {
  /** Only fault kinds this environment supports. */
  env: EnvironmentKind;
  /** Scenario kinds to generate: `chaos` (at least one fault) and/or `integration` (faults optional). */
  kinds: readonly ('chaos' | 'integration')[];
  /** Test-only defects the orchestrator runs with (system.defects). */
  defects: readonly string[];
  /** A base scenario: its system and workload (and expect, timeouts) are kept; only faults are generated. */
  base?: Draft;
}

/**
 * Fault kinds explore never draws, with why. db.diskFull fills a sized tmpfs: it works, but each
 * run then mounts a disk (root or a user namespace), which a default exploration should not need.
 */
export const EXCLUDED_FAULTS: Readonly<Record<string, string>> = Object.freeze({ 'db.diskFull': 'needs a mounted size-limited disk per run' });

/**
 * Drain budget of a generated run: a healthy one settles within seconds of the last heal, and a
 * bead lost by the system holds the run this long before `drain.drained` fails.
 */
const DRAIN = '20s';

/** Most faults in one generated timeline (shrinking only removes them). */
export const MAX_FAULTS = 3;

/** The fault kinds the generator draws from in `env`. */
export function faultKindsFor(env: EnvironmentKind): string[] {
  return FAULT_KINDS.filter((k) => whyKindUnsupported(k, { kind: env }) === undefined && EXCLUDED_FAULTS[k.do] === undefined).map((k) => k.do);
}

/** A duration in [lo, hi] ms, in steps of `step` ms. */
const ms = (lo: number, hi: number, step = 100) => fc.integer({ min: Math.ceil(lo / step), max: Math.floor(hi / step) }).map((n) => n * step);

/**
 * An agent script for beads of `steps` steps: at most one scripted trouble. With `forGood`, the
 * trouble may be a step that fails every attempt (`failTimes` {@link FOR_GOOD_FAIL_TIMES}): the bead
 * ends failed and its dependents blocked, which the draft's `expect:` then says (derivedExpect).
 */
const agentScript = (steps: number, forGood = false) =>
  fc.oneof(
    { weight: 4, arbitrary: fc.constant({}) },
    ...(forGood ? [{ weight: 1, arbitrary: fc.integer({ min: 1, max: steps }).map((failAt) => ({ failAt, failTimes: FOR_GOOD_FAIL_TIMES })) }] : []),
    { weight: 1, arbitrary: fc.integer({ min: 1, max: steps }).map((crashAt) => ({ crashAt })) },
    { weight: 1, arbitrary: fc.integer({ min: 1, max: steps }).map((failAt) => ({ failAt, failTimes: 1 })) },
    {
      weight: 1,
      arbitrary: fc.tuple(fc.integer({ min: 1, max: steps }), ms(500, 1500)).map(([step, t]) => ({ slowSteps: { steps: [step], stepTime: duration(t) } })),
    },
  );

/**
 * `failTimes` of a step that fails for good: above the bead's attempts (3) plus the lost attempts
 * chaos may add (a crash is not the agent's failure), so every attempt fails at that step.
 */
export const FOR_GOOD_FAIL_TIMES = 10;

/** A phase's priority (0 = highest … 4); a phase without one gets the API's default (2). */
const priority = fc.option(fc.integer({ min: 0, max: 4 }), { freq: 3 });

const retry = fc.option(fc.record({ attempts: fc.integer({ min: 2, max: 5 }), backoff: ms(100, 400, 50).map(duration) }), { freq: 2 });

/** Independent beads: a burst or a rate, optional duplicates, cancellations, retries, a scripted agent. */
const beadsPhase = fc
  .record({
    beads: fc.integer({ min: 1, max: 6 }),
    rate: fc.option(
      fc.integer({ min: 2, max: 8 }).map((r) => `${r}/s`),
      { freq: 2 },
    ),
    steps: fc.integer({ min: 2, max: 5 }),
    duplicates: fc.option(fc.constantFrom(0.2, 0.5, 1), { freq: 2 }),
    // A late duplicate (re-sent seconds after its answer) can straddle an orchestrator.kill: the
    // only way a client's retry meets a restarted server's idempotency keys.
    duplicateAfter: fc.option(ms(1000, 5000, 500).map(duration), { freq: 2 }),
    cancel: fc.option(fc.record({ fraction: fc.constantFrom(0.25, 0.5), afterStart: ms(100, 500, 50).map(duration) }), { freq: 3 }),
    retry,
    priority,
  })
  .chain((p) => agentScript(p.steps).map((script) => ({ p, script })))
  .map(({ p, script }): DraftPhase => ({
    beads: p.beads,
    ...(p.rate !== null ? { rate: p.rate } : {}),
    agent: { steps: p.steps, ...script },
    ...(p.duplicates !== null ? { duplicates: p.duplicates, ...(p.duplicateAfter !== null ? { duplicateAfter: p.duplicateAfter } : {}) } : {}),
    ...(p.cancel !== null ? { cancel: p.cancel } : {}),
    ...(p.retry !== null ? { retry: p.retry } : {}),
    ...(p.priority !== null ? { priority: p.priority } : {}),
  }));

/** One workflow bead: depends on a subset of the beads before it (so the graph is a DAG). */
const workflowBead = (index: number) =>
  fc
    .record({
      deps: fc.subarray(Array.from({ length: index }, (_, i) => `b${i + 1}`)),
      steps: fc.integer({ min: 1, max: 4 }),
      stepTime: fc.option(ms(50, 400, 50), { freq: 2 }),
    })
    .chain((b) =>
      agentScript(b.steps, true).map((script): DraftBead => ({
        id: `b${index + 1}`,
        ...(b.deps.length > 0 ? { dependsOn: b.deps } : {}),
        agent: { steps: b.steps, ...(b.stepTime !== null ? { stepTime: duration(b.stepTime) } : {}), ...script },
      })),
    );

/** What an inline DAG phase draws besides its beads. */
const workflowExtras = fc.record({ count: fc.integer({ min: 1, max: 2 }), duplicates: fc.option(fc.constantFrom(0.5, 1), { freq: 2 }), retry, priority });

/** An inline DAG of 2–4 beads, submitted 1–2 times, optional duplicates, retries and a priority. */
const workflowPhase = (name: string) =>
  fc
    .integer({ min: 2, max: 4 })
    .chain((n) => fc.tuple(...Array.from({ length: n }, (_, i) => workflowBead(i))))
    .chain((beads) =>
      workflowExtras.map((p): DraftPhase => ({
        workflow: { name, beads },
        ...(p.count > 1 ? { count: p.count } : {}),
        ...(p.duplicates !== null ? { duplicates: p.duplicates } : {}),
        ...(p.retry !== null ? { retry: p.retry } : {}),
        ...(p.priority !== null ? { priority: p.priority } : {}),
      })),
    );

/** 1–2 phases; a second one starts at a drawn offset. */
const workload = fc
  .tuple(fc.oneof(beadsPhase, workflowPhase('w1')), fc.option(fc.tuple(fc.oneof(beadsPhase, workflowPhase('w2')), ms(0, 2000)), { freq: 2 }))
  .map(([first, second]): DraftPhase[] => (second === null ? [first] : [first, { ...second[0], start: duration(second[1]) }]));

/**
 * The target of agent faults: always `random` (a warm worker always exists). `<workflow>.<bead>`
 * waits at most PICK_WAIT_MS for its bead to run and then fails the `faults.targets` gate when it
 * already finished or has not started — a verdict about the generated timing, not a finding
 * about the system.
 */
const targetFor = (_phases: readonly DraftPhase[]) => fc.constant('random');

/** One fault of a kind: `at` in the first 4 s, windows of 0.3–3 s. */
function faultOf(kind: string, phases: readonly DraftPhase[]): fc.Arbitrary<DraftFault> {
  const at = ms(300, 4000).map(duration);
  const window = ms(300, 3000).map(duration);
  const optionalWindow = fc.option(window, { freq: 2 });
  const withFor = (f: DraftFault, w: string | null): DraftFault => (w === null ? f : { ...f, for: w });
  switch (kind) {
    case 'db.outage':
      return fc.record({ at, w: window, mode: fc.constantFrom('refuse', 'hang') }).map(({ at, w, mode }) => ({ at, do: kind, for: w, mode }));
    case 'db.latency':
      return fc
        .record({ at, w: window, latency: ms(100, 800, 50), jitter: ms(0, 200, 50) })
        .map(({ at, w, latency, jitter }) => ({ at, do: kind, for: w, latency: duration(latency), jitter: duration(jitter) }));
    case 'agent.crash':
      return fc.record({ at, target: targetFor(phases) }).map(({ at, target }) => ({ at, do: kind, target }));
    case 'agent.partition':
      return fc.record({ at, w: window, target: targetFor(phases) }).map(({ at, w, target }) => ({ at, do: kind, for: w, target }));
    case 'orchestrator.restart':
      return at.map((at) => ({ at, do: kind }));
    case 'db.diskFull':
      return fc.record({ at, w: window }).map(({ at, w }) => ({ at, do: kind, for: w }));
    default:
      // actors.kill, db.reset, db.kill, orchestrator.kill: an optional window and nothing else.
      return fc.record({ at, w: optionalWindow }).map(({ at, w }) => withFor({ at, do: kind }, w));
  }
}

/**
 * Whether (3 in 4) and by how much a phase's duplicates are moved past the first orchestrator
 * kill or restart. Drawn independently, duplicates and a restart almost never meet: a burst's
 * beads are answered at t ≈ 0 and re-sent 1–5 s later, while the kill lands anywhere in the
 * first 4 s (seed 101 drew 25 runs for forget-keys-on-restart and none straddled). A key the
 * restarted server must remember is the one schedule where a lost key shows, so it is drawn on
 * purpose — as Jepsen's generators aim writes at a partition instead of hoping one meets it.
 */
const straddle = fc.record({ on: fc.integer({ min: 0, max: 3 }).map((n) => n > 0), past: ms(500, 3000, 500) });

/** Faults after which the orchestrator rebuilds its state from the log (keys included). */
const RESTARTS: ReadonlySet<string> = new Set(['orchestrator.kill', 'orchestrator.restart']);

/**
 * Phases whose duplicates are re-sent `past` after the first restart (relative to the phase's
 * start, so the early answers' re-sends land after it), with a client that keeps retrying through
 * a restart still in progress (a duplicate refused at the socket proves nothing). Unchanged
 * when the draw says no, there is no restart, or the phase starts after it.
 */
function straddleRestart(phases: DraftPhase[], timeline: readonly DraftFault[], draw: { on: boolean; past: number }): DraftPhase[] {
  const restart = timeline.find((f) => RESTARTS.has(f.do));
  if (!draw.on || restart === undefined) return phases;
  const at = millis(restart.at);
  return phases.map((phase) => {
    const start = phase.start === undefined ? 0 : millis(phase.start);
    if (phase.duplicates === undefined || phase.beads === undefined || start >= at) return phase;
    return { ...phase, duplicateAfter: duration(at - start + draw.past), retry: { attempts: 8, backoff: '1s', on: ['unknown', 'refused', 503] } };
  });
}

/** Drops faults (latest first) until no two act on the same process at once; keeps at least `min`. */
function withoutConflicts(faults: DraftFault[], min: number): DraftFault[] {
  const kept = [...faults];
  for (let i = kept.length - 1; i >= min && faultConflicts(kept).length > 0; i--) {
    const without = kept.filter((_, j) => j !== i);
    if (faultConflicts(without).length < faultConflicts(kept).length) kept.splice(i, 1);
  }
  return kept;
}

/** Drafts of the options' kinds, environment and defects. The `name` and `seed` fields are set by {@link generateDraft}. */
export function draftArbitrary(options: GeneratorOptions): fc.Arbitrary<Draft> {
  const kinds = faultKindsFor(options.env);
  const phases = options.base ? fc.constant(options.base.workload) : workload;
  const system: fc.Arbitrary<Draft['system']> = options.base
    ? fc.constant(options.base.system)
    : fc.record({ workers: fc.integer({ min: 2, max: 3 }), steps: fc.integer({ min: 2, max: 5 }), stepTime: ms(50, 300, 50) }).map((s) => ({
        workers: s.workers,
        agent: { steps: s.steps, stepTime: duration(s.stepTime) },
        reconcileTick: '200ms',
        timeouts: { heartbeat: '1s', db: '1s' },
      }));
  return fc.record({ kind: fc.constantFrom(...options.kinds), phases, system }).chain(({ kind, phases, system }) => {
    const min = kind === 'chaos' ? 1 : 0;
    const faults = fc.array(
      fc.constantFrom(...kinds).chain((k) => faultOf(k, phases)),
      { minLength: min, maxLength: MAX_FAULTS },
    );
    return fc.tuple(faults, straddle).map(([drawn, straddleDraw]): Draft => {
      const timeline = withoutConflicts(
        [...drawn].sort((a, b) => millis(a.at) - millis(b.at)),
        min,
      );
      const workload = options.base ? phases : straddleRestart(phases, timeline, straddleDraw);
      const admin = timeline.some((f) => f.do === 'actors.kill') || system.admin === true;
      const draft: Draft = {
        name: 'explore',
        kind,
        description: 'Generated by oya explore.',
        seed: 1,
        system: { ...system, ...(admin ? { admin: true } : {}), ...(options.defects.length > 0 ? { defects: [...options.defects] } : {}) },
        workload,
        faults: timeline,
        ...(options.base?.expect !== undefined ? { expect: options.base.expect } : {}),
        timeouts: options.base?.timeouts ?? { drain: DRAIN, total: '90s' },
      };
      // A base keeps its own expect; a generated workload says what it implies (failures for good,
      // priority order). A cancel racing a bead that fails for good (or one of its dependencies)
      // would make its final status a guess (cancelled or failed): those drafts cancel nothing.
      if (options.base) return draft;
      const failing = derivedExpect(draft.workload)?.beads !== undefined;
      return withDerivedExpect(failing ? { ...draft, workload: draft.workload.map(({ cancel: _c, ...p }) => p) } : draft);
    });
  });
}

/** A 32-bit seed for run `index` of exploration seed `seed` (splitmix-style mixing: neighbours differ). */
export function runSeed(seed: number, index: number): number {
  let x = (Math.imul(seed | 0, 0x9e3779b1) ^ Math.imul(index + 1, 0x85ebca6b)) >>> 0;
  x = Math.imul(x ^ (x >>> 16), 0x7feb352d) >>> 0;
  x = Math.imul(x ^ (x >>> 15), 0x846ca68b) >>> 0;
  return (x ^ (x >>> 16)) >>> 0;
}

/** Tries per run before giving up on drawing a valid draft (a draw is checked with the loader). */
const DRAWS_PER_RUN = 20;

/**
 * Run `index` of exploration `seed`: the first draw the scenario loader accepts, named
 * `explore-<seed>-<index>`, its scenario seed derived from both. Pure: the same arguments give
 * the same draft.
 */
export function generateDraft(options: GeneratorOptions, seed: number, index: number): Draft {
  const arbitrary = draftArbitrary(options);
  let last: string[] = [];
  for (let draw = 0; draw < DRAWS_PER_RUN; draw++) {
    const s = runSeed(seed, index * DRAWS_PER_RUN + draw);
    const [drawn] = fc.sample(arbitrary, { seed: s | 0, numRuns: 1 });
    const draft: Draft = { ...drawn!, name: `explore-${seed}-${index}`, seed: s % 1_000_000 };
    const check = checkDraft(draft, options.env);
    if (check.ok) return draft;
    last = check.problems;
  }
  throw new Error(`no valid scenario in ${DRAWS_PER_RUN} draws for run ${index} of seed ${seed}: ${last.join('; ')}`);
}
