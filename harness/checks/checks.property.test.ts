/**
 * Property: in any generated run, each checker reports exactly the beads that were corrupted for
 * it (no misses, no false alarms), and every witness names only the offending bead's evidence.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { runChecks } from './run-checks.ts';
import type { CheckName } from './types.ts';
import { buildWorld, type WorldBead } from './world.test-helper.ts';

type Injection = 'none' | 'lost' | 'duplicated' | 'unexpected' | 'eventGaps' | 'doubleSideEffects' | 'apiLogDisagreement';

/**
 * The checks each injection must trip. One corruption is often seen by several checks (an event
 * removed is a seq gap, a global position gap — which names no bead — and an illegal transition).
 */
const CHECKS_OF: Record<Exclude<Injection, 'none'>, [CheckName, 'bead' | 'none'][]> = {
  lost: [
    ['lost', 'bead'],
    ['apiLogDisagreement', 'bead'],
  ],
  duplicated: [
    ['duplicated', 'bead'],
    ['lifecycle', 'bead'],
  ],
  unexpected: [['unexpected', 'bead']],
  eventGaps: [
    ['eventGaps', 'bead'],
    ['eventGaps', 'none'],
    ['lifecycle', 'bead'],
  ],
  doubleSideEffects: [['doubleSideEffects', 'bead']],
  apiLogDisagreement: [['apiLogDisagreement', 'bead']],
};

/** `record` without `key` (a copy). */
function without<T>(record: Record<string, T>, key: string): Record<string, T> {
  return Object.fromEntries(Object.entries(record).filter(([k]) => k !== key));
}

const beadPlan = fc.record({
  status: fc.constantFrom('succeeded' as const, 'failed' as const, 'cancelled' as const),
  steps: fc.integer({ min: 1, max: 4 }),
  submit: fc.constantFrom('ok' as const, 'retried' as const, 'recovered' as const),
  injection: fc.oneof(
    { weight: 6, arbitrary: fc.constant<Injection>('none') },
    { weight: 1, arbitrary: fc.constantFrom<Injection>('lost', 'duplicated', 'unexpected', 'eventGaps', 'doubleSideEffects', 'apiLogDisagreement') },
  ),
});

type Plan = typeof plans extends fc.Arbitrary<infer T> ? T : never;

const plans = fc.record({
  beads: fc.array(beadPlan, { minLength: 1, maxLength: 25 }),
  noise: fc.record({ failed: fc.nat(3), notApplied: fc.nat(3) }),
});

/** Builds the world, applies each bead's injection, and returns it with the expected flags. */
function corrupt(plan: Plan) {
  const beads: WorldBead[] = plan.beads.map((b, i) => ({
    id: `b${i}`,
    status: b.status,
    steps: b.steps,
    // A lost bead must have been acknowledged; an unexpected one must never have been submitted.
    submit: b.injection === 'lost' ? 'ok' : b.injection === 'unexpected' ? 'none' : b.submit,
  }));
  const world = buildWorld(beads, plan.noise);
  const expected = new Map<CheckName, Set<string | undefined>>();
  plan.beads.forEach((b, i) => {
    const id = `b${i}`;
    if (b.injection === 'none') return;
    for (const [check, who] of CHECKS_OF[b.injection]) expected.set(check, (expected.get(check) ?? new Set()).add(who === 'bead' ? id : undefined));
    const stream = world.events.filter((e) => e.stream === `bead:${id}`);
    switch (b.injection) {
      case 'lost': {
        // Acknowledged, served by nobody, and its outcome never reached the log.
        world.finalBeads = without(world.finalBeads, id);
        world.logBeads = without(world.logBeads, id);
        const terminal = stream.at(-1)!;
        world.events.splice(world.events.indexOf(terminal), 1);
        // Close the position it held: the loss is the outcome, not a hole in the log.
        for (const e of world.events) if ((e.cursor as number) > (terminal.cursor as number)) e.cursor = (e.cursor as number) - 1;
        break;
      }
      case 'duplicated': {
        const last = stream.at(-1)!;
        world.events.push({ ...last, seq: last.seq + 1, cursor: Math.max(...world.events.map((e) => e.cursor as number)) + 1 });
        break;
      }
      case 'eventGaps':
        world.events.splice(world.events.indexOf(stream[1]!), 1);
        break;
      case 'doubleSideEffects':
        world.sideEffects.push({ ...world.sideEffects.find((s) => s.beadId === id)!, attempt: 2, pid: 999 });
        break;
      case 'apiLogDisagreement':
        // The API serves another terminal status than the log's own fold gives.
        world.finalBeads[id] = { ...world.finalBeads[id]!, status: b.status === 'failed' ? 'succeeded' : 'failed' };
        break;
    }
  });
  return { world, expected };
}

describe('checkers over generated runs', () => {
  it('report exactly the injected violations, with minimal witnesses', () => {
    fc.assert(
      fc.property(plans, (plan) => {
        const { world, expected } = corrupt(plan);
        const report = runChecks(world.input());
        for (const [name, result] of Object.entries(report.checks)) {
          const flagged = new Set(result.violations.map((v) => v.beadId));
          expect({ check: name, flagged }).toEqual({ check: name, flagged: expected.get(name as CheckName) ?? new Set() });
          for (const v of result.violations) {
            if (v.beadId === undefined) continue; // a global position gap belongs to no bead
            for (const e of v.witness.events ?? []) expect(e.stream).toBe(`bead:${v.beadId}`);
            for (const s of v.witness.sideEffects ?? []) expect(s.beadId).toBe(v.beadId);
            for (const op of v.witness.ops ?? []) expect(op.beadIds).toContain(v.beadId);
            // Minimal: a witness is a handful of items, never a dump of the run.
            expect((v.witness.events?.length ?? 0) + (v.witness.ops?.length ?? 0) + (v.witness.sideEffects?.length ?? 0)).toBeLessThanOrEqual(3);
          }
        }
        expect(report.valid).toBe(expected.size === 0 ? true : false);
      }),
      { numRuns: 200 },
    );
  });

  it('a history round-tripped through the JSON journal gives the same report', () => {
    fc.assert(
      fc.property(plans, (plan) => {
        const { world } = corrupt(plan);
        const direct = runChecks(world.input());
        const fromJournal = runChecks({ ...world.input(), history: JSON.parse(JSON.stringify(world.history)) });
        expect(fromJournal).toEqual(direct);
      }),
      { numRuns: 50 },
    );
  });
});
