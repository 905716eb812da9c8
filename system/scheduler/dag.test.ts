import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { findCycle, topologicalOrder, validateDag, type DagNode } from './dag.ts';

const dag = (spec: Record<string, string[]>): DagNode[] => Object.entries(spec).map(([id, dependsOn]) => ({ id, dependsOn }));

/** A random DAG: node i may depend only on nodes before it, then the list is shuffled. */
const arbitraryDag = fc
  .integer({ min: 1, max: 40 })
  .chain((n) =>
    fc.tuple(
      fc.array(fc.uniqueArray(fc.integer({ min: 0, max: n - 1 }), { maxLength: 5 }), { minLength: n, maxLength: n }),
      fc.shuffledSubarray([...Array(n).keys()], { minLength: n, maxLength: n }),
    ),
  )
  .map(([deps, permutation]) => permutation.map((i) => ({ id: `n${i}`, dependsOn: deps[i]!.filter((d) => d < i).map((d) => `n${d}`) })));

describe('DAG validation', () => {
  it('names the full cycle path', () => {
    expect(() => validateDag(dag({ a: ['b'], b: ['c'], c: ['a'], d: [] }))).toThrow(
      expect.objectContaining({ code: 'ORCH_DAG_CYCLE', message: expect.stringContaining('a -> b -> c -> a'), details: { cycle: ['a', 'b', 'c', 'a'] } }),
    );
    expect(findCycle(dag({ x: [], a: ['a'] }))).toEqual(['a', 'a']);
  });

  it('rejects duplicates and unknown dependencies with their ids', () => {
    expect(() => validateDag(dag({ a: [] }).concat(dag({ a: [] })))).toThrow(
      expect.objectContaining({ code: 'ORCH_DAG_DUPLICATE_ID', details: { beadId: 'a' } }),
    );
    expect(() => validateDag(dag({ a: ['nope'] }))).toThrow(
      expect.objectContaining({ code: 'ORCH_DAG_UNKNOWN_DEPENDENCY', message: 'bead a depends on unknown bead nope' }),
    );
  });

  it('orders deterministically: dependencies first, otherwise input order', () => {
    expect(topologicalOrder(dag({ c: ['a'], b: [], a: [], d: ['c', 'b'] }))).toEqual(['b', 'a', 'c', 'd']);
    expect(() => topologicalOrder(dag({ a: ['b'], b: ['a'] }))).toThrow(expect.objectContaining({ code: 'ORCH_DAG_CYCLE' }));
  });

  it('handles a 10,000-bead chain without overflowing the stack', () => {
    const chain = Array.from({ length: 10_000 }, (_, i) => ({ id: `n${i}`, dependsOn: i === 0 ? [] : [`n${i - 1}`] }));
    expect(topologicalOrder(chain.slice().reverse())[9_999]).toBe('n9999');
    chain[0] = { id: 'n0', dependsOn: ['n9999'] };
    expect(findCycle(chain)).toHaveLength(10_001);
  });

  it('property: in any random DAG the topological order respects every edge and no cycle is found', () => {
    fc.assert(
      fc.property(arbitraryDag, (nodes) => {
        validateDag(nodes);
        const order = topologicalOrder(nodes);
        expect(order.slice().sort()).toEqual(nodes.map((n) => n.id).sort());
        const position = new Map(order.map((id, i) => [id, i]));
        for (const node of nodes) for (const dep of node.dependsOn) expect(position.get(dep)!).toBeLessThan(position.get(node.id)!);
        expect(topologicalOrder(nodes)).toEqual(order); // deterministic
      }),
      { numRuns: 300 },
    );
  });

  it('property: adding a back edge makes a cycle, and the reported path is a real cycle', () => {
    fc.assert(
      fc.property(arbitraryDag, fc.nat(), fc.nat(), (nodes, x, y) => {
        // Find a path from some node down its dependencies, then close it with an edge back up.
        const byId = new Map(nodes.map((n) => [n.id, n]));
        let from = nodes[x % nodes.length]!;
        const path = [from.id];
        for (let steps = y % 6; steps > 0 && from.dependsOn.length > 0; steps--) {
          from = byId.get(from.dependsOn[0]!)!;
          path.push(from.id);
        }
        const bottom = byId.get(path[path.length - 1]!)!;
        const withCycle = nodes.map((n) => (n === bottom ? { ...n, dependsOn: [...n.dependsOn, path[0]!] } : n));
        const cycle = findCycle(withCycle);
        expect(cycle).toBeDefined();
        expect(cycle![0]).toBe(cycle![cycle!.length - 1]);
        const edges = new Map(withCycle.map((n) => [n.id, new Set(n.dependsOn)]));
        for (let i = 0; i + 1 < cycle!.length; i++) expect(edges.get(cycle![i]!)!.has(cycle![i + 1]!)).toBe(true);
        expect(() => validateDag(withCycle)).toThrow(expect.objectContaining({ code: 'ORCH_DAG_CYCLE' }));
      }),
      { numRuns: 300 },
    );
  });
});
