/**
 * The generator's properties, checked with fast-check: every draft it returns is a scenario the
 * loader accepts with the environment's faults only (what `oya validate --env` would say), never
 * overlaps faults on one process, and is a pure function of (options, seed, run).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { whyUnsupported } from '../runner/faults/index.ts';
import { loadScenarioText } from '../scenario/index.ts';
import { beadCount, checkDraft, derivedExpect, draftYaml, failsForGood, faultConflicts, millis } from './draft.ts';
import { draftArbitrary, faultKindsFor, generateDraft, MAX_FAULTS, runSeed } from './generator.ts';

const local = { env: 'local', kinds: ['chaos'], defects: [] } as const;

describe('generateDraft', () => {
  it('always returns a valid scenario, within what the environment supports', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 ** 31 - 1 }), fc.integer({ min: 0, max: 500 }), fc.constantFrom('local', 'containers'), (seed, run, env) => {
        const draft = generateDraft({ ...local, env }, seed, run);
        const check = checkDraft(draft, env);
        expect(check.ok, check.ok ? '' : check.problems.join('\n')).toBe(true);
        // The loader itself, from the YAML text the finding file would hold.
        const scenario = loadScenarioText(draftYaml(draft), `scenarios/chaos/${draft.name}.yaml`);
        expect(scenario.kind).toBe('chaos');
        expect(scenario.faults.length).toBeGreaterThanOrEqual(1);
        expect(scenario.faults.length).toBeLessThanOrEqual(MAX_FAULTS);
        for (const f of scenario.faults) expect(whyUnsupported(f.do, { kind: env })).toBeUndefined();
        expect(faultConflicts(draft.faults)).toEqual([]);
        expect(beadCount(draft)).toBeGreaterThan(0);
      }),
      { numRuns: 150 },
    );
  });

  it('is deterministic per (seed, run), and different runs differ', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 ** 31 - 1 }), fc.integer({ min: 0, max: 100 }), (seed, run) => {
        expect(draftYaml(generateDraft(local, seed, run))).toBe(draftYaml(generateDraft(local, seed, run)));
      }),
      { numRuns: 50 },
    );
    const texts = new Set(Array.from({ length: 20 }, (_, run) => draftYaml({ ...generateDraft(local, 7, run), name: 'same' })));
    expect(texts.size).toBeGreaterThan(15);
  });

  it('never draws a container-only fault for local, and can draw them for containers', () => {
    expect(faultKindsFor('local')).not.toContain('db.pause');
    expect(faultKindsFor('local')).not.toContain('db.partition');
    expect(faultKindsFor('containers')).toEqual(expect.arrayContaining(['db.pause', 'db.partition']));
    const drawn = new Set(Array.from({ length: 200 }, (_, run) => generateDraft({ ...local, env: 'containers' }, 3, run).faults.map((f) => f.do)).flat());
    expect(drawn.has('db.pause') || drawn.has('db.partition')).toBe(true);
  });

  it('covers the vocabulary: DAGs, duplicates (late ones too), cancellations, retries, crashes, overlapping faults', () => {
    const drafts = Array.from({ length: 200 }, (_, run) => generateDraft(local, 5, run));
    const phases = drafts.flatMap((d) => d.workload);
    expect(phases.some((p) => p.workflow?.beads.some((b) => (b.dependsOn ?? []).length > 0))).toBe(true);
    expect(phases.some((p) => p.duplicates !== undefined)).toBe(true);
    expect(phases.some((p) => p.duplicateAfter !== undefined && p.duplicates !== undefined)).toBe(true);
    expect(phases.every((p) => p.duplicateAfter === undefined || p.duplicates !== undefined)).toBe(true);
    expect(phases.some((p) => p.cancel !== undefined)).toBe(true);
    expect(phases.some((p) => p.retry !== undefined)).toBe(true);
    expect(phases.some((p) => p.agent?.crashAt !== undefined)).toBe(true);
    // What ignore-priority and release-on-failure need: phases of different priorities, and a
    // workflow bead that fails for good with a dependent.
    expect(drafts.some((d) => new Set(d.workload.map((p) => p.priority ?? 2)).size > 1)).toBe(true);
    const hasDependent = (p: (typeof phases)[number], id: string) => p.workflow!.beads.some((c) => c.dependsOn?.includes(id));
    expect(phases.some((p) => p.workflow?.beads.some((b) => failsForGood(b.agent) && hasDependent(p, b.id)))).toBe(true);
    // Two faults active at once: b starts inside a's window.
    const overlapping = drafts.some((d) =>
      d.faults.some((a) => d.faults.some((b) => a !== b && millis(a.at) <= millis(b.at) && millis(b.at) < millis(a.at) + millis(a.for))),
    );
    expect(overlapping).toBe(true);
  });

  it('aims late duplicates past an orchestrator restart, with a client that retries through it (what forget-keys-on-restart needs)', () => {
    const drafts = Array.from({ length: 300 }, (_, run) => generateDraft(local, 13, run));
    const straddles = drafts.filter((d) => {
      const restart = d.faults.find((f) => f.do === 'orchestrator.kill' || f.do === 'orchestrator.restart');
      if (restart === undefined) return false;
      return d.workload.some((p) => {
        const start = p.start === undefined ? 0 : millis(p.start);
        const resent = p.duplicateAfter === undefined ? undefined : start + millis(p.duplicateAfter);
        return p.duplicates !== undefined && start < millis(restart.at) && resent !== undefined && resent > millis(restart.at) && p.retry !== undefined;
      });
    });
    // Drawn independently (before), seed 101 straddled 0 of its first 26 runs.
    expect(straddles.length).toBeGreaterThanOrEqual(10);
  });

  it('says in expect: what the workload implies — failed for good with its dependents, priority order — and nothing else', () => {
    const drafts = Array.from({ length: 300 }, (_, run) => generateDraft(local, 11, run));
    for (const d of drafts) {
      expect(d.expect).toEqual(derivedExpect(d.workload));
      const claimed = (d.expect as { beads?: Record<string, string> } | undefined)?.beads ?? {};
      for (const phase of d.workload) {
        for (const bead of phase.workflow?.beads ?? []) {
          const ref = `${phase.workflow!.name}.${bead.id}`;
          // Failed iff it fails for good or depends on a bead claimed failed.
          const failed = failsForGood(bead.agent) || (bead.dependsOn ?? []).some((dep) => claimed[`${phase.workflow!.name}.${dep}`] === 'failed');
          expect(claimed[ref], `${d.name} ${ref}`).toBe(failed ? 'failed' : undefined);
        }
      }
      expect((d.expect as { priorityOrder?: boolean } | undefined)?.priorityOrder === true).toBe(d.workload.some((p) => p.priority !== undefined));
      // A cancel racing a bead that fails for good would make its status a guess: such drafts cancel nothing.
      if (Object.keys(claimed).length > 0) expect(d.workload.every((p) => p.cancel === undefined)).toBe(true);
      // No counts: a submission refused while the orchestrator is down creates no bead, and is no defect.
      expect(Object.keys(d.expect ?? {}).filter((k) => k === 'completed' || k === 'failed')).toEqual([]);
    }
    expect(drafts.some((d) => Object.keys((d.expect as { beads?: object } | undefined)?.beads ?? {}).length > 1)).toBe(true);
  });

  it('sets the defects and admin when asked, and integration drafts may have no faults', () => {
    const draft = generateDraft({ ...local, defects: ['double-step'] }, 1, 0);
    expect(draft.system.defects).toEqual(['double-step']);
    const withActors = Array.from({ length: 100 }, (_, run) => generateDraft(local, 9, run)).find((d) => d.faults.some((f) => f.do === 'actors.kill'));
    expect(withActors?.system.admin).toBe(true);
    const integration = Array.from({ length: 50 }, (_, run) => generateDraft({ ...local, kinds: ['integration'] }, 2, run));
    expect(integration.every((d) => d.kind === 'integration')).toBe(true);
    expect(integration.some((d) => d.faults.length === 0)).toBe(true);
  });

  it("keeps a base scenario's system and workload and draws only faults", () => {
    const base = generateDraft(local, 4, 0);
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1000 }), (seed) => {
        const [draft] = fc.sample(draftArbitrary({ ...local, base }), { seed, numRuns: 1 });
        expect(draft!.workload).toEqual(base.workload);
        expect(draft!.system.workers).toBe(base.system.workers);
      }),
      { numRuns: 20 },
    );
  });

  it('mixes seeds: neighbouring runs get unrelated seeds', () => {
    expect(runSeed(7, 0)).not.toBe(runSeed(7, 1));
    expect(runSeed(7, 0)).not.toBe(runSeed(8, 0));
    expect(runSeed(7, 0)).toBe(runSeed(7, 0));
  });
});
