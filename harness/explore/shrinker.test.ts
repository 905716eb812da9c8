/**
 * The shrinker against synthetic oracles (no scenario runs): it reaches a minimal draft that still
 * satisfies the predicate, never proposes a draft the loader refuses, respects its test budget,
 * and never loses the failure (every accepted draft satisfies the predicate).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { beadCount, checkDraft, derivedExpect, failsForGood, millis, withDerivedExpect, type Draft } from './draft.ts';
import { generateDraft } from './generator.ts';
import { reductions, shrinkDraft } from './shrinker.ts';

const local = { env: 'local', kinds: ['chaos'], defects: [] } as const;
const isValid = (d: Draft) => checkDraft(d, 'local').ok;

/** A draft with several faults and beads, so there is something to shrink. */
function bigDraft(): Draft {
  for (let run = 0; ; run++) {
    const d = generateDraft(local, 21, run);
    if (d.faults.length >= 3 && beadCount(d) >= 4) return d;
  }
}

describe('shrinkDraft', () => {
  it('derives each candidate (explore: its expect) before checking and testing it', async () => {
    let draft: Draft | undefined;
    for (let run = 0; draft === undefined; run++) {
      const d = generateDraft(local, 13, run);
      if (d.workload.some((p) => p.workflow?.beads.some((b) => failsForGood(b.agent)))) draft = d;
    }
    const tested: Draft[] = [];
    // Fails while some bead fails for good: the shrink must end with that bead claimed failed.
    const result = await shrinkDraft(draft, {
      isValid,
      derive: withDerivedExpect,
      maxTests: 40,
      stillFails: async (d) => {
        tested.push(d);
        return d.workload.some((p) => p.workflow?.beads.some((b) => failsForGood(b.agent)));
      },
    });
    expect(tested.length).toBeGreaterThan(0);
    for (const d of [...tested, result.draft]) expect(d.expect).toEqual(derivedExpect(d.workload));
    const claimed = Object.values((result.draft.expect as { beads: Record<string, string> }).beads);
    expect(claimed.length).toBeGreaterThan(0);
    expect(claimed.every((s) => s === 'failed')).toBe(true);
  });

  it('shrinks to the one fault and the fewest beads a predicate needs', async () => {
    const draft = bigDraft();
    const needed = draft.faults[1]!.do;
    // "Fails" while the timeline still has a fault of that kind and at least two beads.
    const fails = (d: Draft) => d.faults.some((f) => f.do === needed) && beadCount(d) >= 2;
    const seen: Draft[] = [];
    // As explore shrinks a generated draft: each candidate's expect follows its workload (a dropped
    // bead that failed for good leaves no stale reference the loader would refuse).
    const result = await shrinkDraft(draft, {
      isValid,
      derive: withDerivedExpect,
      maxTests: 200,
      stillFails: async (d) => {
        seen.push(d);
        return fails(d);
      },
    });
    expect(result.complete).toBe(true);
    expect(result.draft.faults).toHaveLength(1);
    expect(result.draft.faults[0]!.do).toBe(needed);
    expect(beadCount(result.draft)).toBe(2);
    expect(result.draft.workload).toHaveLength(1);
    // Earlier and shorter: the fault is at the floor the reductions go to.
    expect(millis(result.draft.faults[0]!.at)).toBeLessThanOrEqual(200);
    // Every candidate the oracle saw was valid, and the result still fails.
    for (const d of seen) expect(isValid(d)).toBe(true);
    expect(fails(result.draft)).toBe(true);
    expect(result.tests).toBe(seen.length);
  });

  it('returns the input when nothing smaller fails, and stops at maxTests or when told', async () => {
    const draft = bigDraft();
    const none = await shrinkDraft(draft, { isValid, stillFails: async () => false, maxTests: 500 });
    expect(none.draft).toBe(draft);
    expect(none.accepted).toEqual([]);
    expect(none.complete).toBe(true);
    const capped = await shrinkDraft(draft, { isValid, stillFails: async () => true, maxTests: 3 });
    expect(capped.tests).toBe(3);
    expect(capped.complete).toBe(false);
    let calls = 0;
    const stopped = await shrinkDraft(draft, { isValid, stillFails: async () => (calls++, true), shouldStop: () => calls >= 2 });
    expect(stopped.tests).toBe(2);
    expect(stopped.complete).toBe(false);
  });

  it("only ever accepts drafts the predicate holds for (any predicate over the draft's size)", async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 0, max: 1000 }), fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 6 }), async (run, minFaults, minBeads) => {
        const draft = generateDraft(local, 13, run);
        const fails = (d: Draft) => d.faults.length >= Math.min(minFaults, draft.faults.length) && beadCount(d) >= Math.min(minBeads, beadCount(draft));
        const result = await shrinkDraft(draft, { isValid, maxTests: 300, stillFails: async (d) => fails(d) });
        expect(fails(result.draft)).toBe(true);
        expect(result.draft.faults.length).toBeLessThanOrEqual(draft.faults.length);
        expect(beadCount(result.draft)).toBeLessThanOrEqual(beadCount(draft));
      }),
      { numRuns: 25 },
    );
  });

  it('offers fault removals first, and keeps at least one fault in a chaos scenario', () => {
    const draft = bigDraft();
    const [first] = reductions(draft);
    expect(first?.what).toMatch(/^drop fault/);
    const single = { ...draft, faults: draft.faults.slice(0, 1) };
    expect([...reductions(single)].some((r) => r.draft.faults.length === 0)).toBe(false);
    expect([...reductions({ ...single, kind: 'integration' })].some((r) => r.draft.faults.length === 0)).toBe(true);
  });

  it('offers every phase fewer workers and fewer beads before any simpler script, feature or fault window', () => {
    for (let run = 0; run < 60; run++) {
      const draft = generateDraft(local, 31, run);
      const all = [...reductions(draft)];
      const smaller = (r: (typeof all)[number]) => beadCount(r.draft) < beadCount(draft) || r.what.startsWith('system.workers');
      const firstSimpler = all.findIndex(
        (r) => !smaller(r) && r.draft.faults.length === draft.faults.length && r.draft.workload.length === draft.workload.length,
      );
      const lastSmaller = all.findLastIndex((r) => smaller(r));
      if (firstSimpler >= 0) expect(lastSmaller, `${draft.name}: ${all.map((r) => r.what).join(' | ')}`).toBeLessThan(firstSimpler);
    }
  });
});
