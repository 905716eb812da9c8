/**
 * DAG checks and ordering over `blocks` edges. An edge `a -> b` reads "a depends on b" (b must
 * succeed before a may run), the direction of the tracker's `{issue_id: a, depends_on_id: b}`.
 */
import { DagCycleError, DagDuplicateIdError, DagUnknownDependencyError } from './errors.ts';

export interface DagNode {
  id: string;
  dependsOn: readonly string[];
}

/**
 * Throws, in this order, ORCH_DAG_DUPLICATE_ID, ORCH_DAG_UNKNOWN_DEPENDENCY (unless `isKnown`
 * accepts an id from outside `nodes`), ORCH_DAG_CYCLE (with the full cycle path). O(V + E).
 */
export function validateDag(nodes: readonly DagNode[], isKnown: (id: string) => boolean = () => false): void {
  const ids = new Set<string>();
  for (const node of nodes) {
    if (ids.has(node.id) || isKnown(node.id)) throw new DagDuplicateIdError(node.id);
    ids.add(node.id);
  }
  for (const node of nodes) {
    for (const dep of node.dependsOn) {
      if (!ids.has(dep) && !isKnown(dep)) throw new DagUnknownDependencyError(node.id, dep);
    }
  }
  const cycle = findCycle(nodes);
  if (cycle !== undefined) throw new DagCycleError(cycle);
}

/**
 * A cycle among `nodes` as a path that starts and ends with the same id (`[a, b, c, a]`: a
 * depends on b, b on c, c on a), or undefined. Dependencies outside `nodes` are ignored.
 * Iterative DFS: a 10,000-bead chain must not overflow the stack. Deterministic: nodes and
 * edges are visited in input order.
 */
export function findCycle(nodes: readonly DagNode[]): string[] | undefined {
  const index = new Map<string, number>();
  nodes.forEach((n, i) => index.set(n.id, i));
  const WHITE = 0;
  const GREY = 1; // on the current DFS path
  const BLACK = 2; // fully explored, on no cycle reachable from here
  const color = new Uint8Array(nodes.length);
  const edgeCursor = new Uint32Array(nodes.length);
  const stack: number[] = [];
  for (let root = 0; root < nodes.length; root++) {
    if (color[root] !== WHITE) continue;
    stack.push(root);
    color[root] = GREY;
    while (stack.length > 0) {
      const top = stack[stack.length - 1]!;
      const deps = nodes[top]!.dependsOn;
      if (edgeCursor[top]! < deps.length) {
        const next = index.get(deps[edgeCursor[top]!]!);
        edgeCursor[top]!++;
        if (next === undefined || color[next] === BLACK) continue;
        if (color[next] === GREY) {
          // Back edge: the cycle is the stack from `next` to the top, closed with `next` again.
          const from = stack.lastIndexOf(next);
          return [...stack.slice(from), next].map((i) => nodes[i]!.id);
        }
        color[next] = GREY;
        stack.push(next);
      } else {
        color[top] = BLACK;
        stack.pop();
      }
    }
  }
  return undefined;
}

/**
 * Ids with every dependency before its dependents (Kahn's algorithm). Among beads that could go
 * next, the one earliest in `nodes` goes first, so the order is deterministic and stable for
 * independent beads. Throws ORCH_DAG_CYCLE when there is a cycle. Dependencies outside `nodes`
 * are ignored. O((V + E) log V).
 */
export function topologicalOrder(nodes: readonly DagNode[]): string[] {
  const index = new Map<string, number>();
  nodes.forEach((n, i) => index.set(n.id, i));
  const waitingOn = new Uint32Array(nodes.length);
  const dependents: number[][] = nodes.map(() => []);
  nodes.forEach((node, i) => {
    for (const dep of new Set(node.dependsOn)) {
      const d = index.get(dep);
      if (d === undefined) continue;
      waitingOn[i]!++;
      dependents[d]!.push(i);
    }
  });
  const ready = new MinHeap();
  for (let i = 0; i < nodes.length; i++) if (waitingOn[i] === 0) ready.push(i);
  const order: string[] = [];
  while (ready.size > 0) {
    const i = ready.pop();
    order.push(nodes[i]!.id);
    for (const d of dependents[i]!) if (--waitingOn[d]! === 0) ready.push(d);
  }
  if (order.length < nodes.length) throw new DagCycleError(findCycle(nodes) ?? []);
  return order;
}

/** A binary min-heap of integers (node indices). */
class MinHeap {
  private readonly items: number[] = [];

  get size(): number {
    return this.items.length;
  }

  push(value: number): void {
    const items = this.items;
    items.push(value);
    let i = items.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (items[parent]! <= value) break;
      items[i] = items[parent]!;
      i = parent;
    }
    items[i] = value;
  }

  pop(): number {
    const items = this.items;
    const top = items[0]!;
    const last = items.pop()!;
    if (items.length > 0) {
      let i = 0;
      for (;;) {
        const left = 2 * i + 1;
        if (left >= items.length) break;
        const right = left + 1;
        const child = right < items.length && items[right]! < items[left]! ? right : left;
        if (items[child]! >= last) break;
        items[i] = items[child]!;
        i = child;
      }
      items[i] = last;
    }
    return top;
  }
}
