/**
 * Scheduler benchmarks for `npm run bench`.
 */
import type { BenchSuite } from '../bench/types.ts';
import { parseBead, type Bead } from './bead.ts';
import { topologicalOrder, type DagNode } from './dag.ts';
import { ReadyQueue } from './ready-queue.ts';

/** A random DAG (each node depends on up to 3 earlier nodes), listed in shuffled order; seeded. */
export function randomDag(size: number, seed = 1): DagNode[] {
  let s = seed;
  const random = (): number => ((s = (s * 16807) % 2147483647) - 1) / 2147483646;
  const nodes: DagNode[] = [];
  for (let i = 0; i < size; i++) {
    const deps = new Set<string>();
    for (let k = Math.floor(random() * 4); k > 0 && i > 0; k--) deps.add(`n${Math.floor(random() * i)}`);
    nodes.push({ id: `n${i}`, dependsOn: [...deps] });
  }
  for (let i = nodes.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [nodes[i], nodes[j]] = [nodes[j]!, nodes[i]!];
  }
  return nodes;
}

export function benchmarks(): Promise<BenchSuite> {
  const queue = new ReadyQueue({ concurrency: Infinity });
  // Parsed once: the case measures the queue, not zod.
  const template = parseBead({ id: 'template', title: 'bench' });
  // A standing backlog of 8 workflows, so take() does real round-robin work.
  for (let w = 0; w < 8; w++) queue.add(Array.from({ length: 1_000 }, (_, i): Bead => ({ ...template, id: `backlog-${w}-${i}`, workflowId: `backlog-${w}` })));
  let n = 0;
  const small = randomDag(100, 7);
  const large = randomDag(10_000, 11);
  return Promise.resolve({
    name: 'scheduler',
    cases: [
      {
        name: 'queue enqueue+dequeue',
        fn: () => {
          const id = `b${n++}`;
          queue.add([{ ...template, id, workflowId: `backlog-${n % 8}` }]);
          const taken = queue.take()!;
          queue.markSucceeded(taken.id);
          queue.forget(taken.id); // one in, one out: the backlog stays at 8,000 ready beads
        },
        target: { p99Ms: 0.02, floorMs: 1 },
      },
      { name: 'topological sort 100 nodes', fn: () => topologicalOrder(small), target: { p99Ms: 0.5, floorMs: 10 } },
      { name: 'topological sort 10,000 nodes', fn: () => topologicalOrder(large) },
    ],
    close: () => Promise.resolve(),
  });
}
