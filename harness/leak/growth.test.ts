import { describe, expect, it } from 'vitest';
import type { AttributedCluster } from './attribution.ts';
import { clustersGrowingAcross, ownerIds } from './growth.ts';

type Step = AttributedCluster['steps'][number];
const step = (id: number, name: string, edge?: string, extra: Partial<Step> = {}): Step => ({
  id,
  name,
  ...(edge ? { edge } : {}),
  type: 'object',
  retainedSize: 10,
  leaked: false,
  ...extra,
});
const cluster = (steps: Step[]): AttributedCluster => ({
  steps,
  leakedRetainedSize: 10,
  files: [],
  summary: steps.map((s) => s.name).join(' → '),
  owner: 'ours',
});

// The leak defect's shape: entries kept in a module-scope archive (ids 30-32 in the final
// snapshot); each pass's representative is another entry, marked leaked at another depth, reached
// from another GC root.
const leak = (root: number, entry: number, leakedField?: string) =>
  cluster([
    step(root, '(GC roots)'),
    step(30, '<function scope>', 'context', { file: 'file:///repo/system/runtime/dispatcher.ts' }),
    step(31, 'LeakedEventArchive', 'leaked'),
    step(32, 'Array', 'entries'),
    step(entry, 'Object', String(entry), { leaked: leakedField === undefined }),
    ...(leakedField ? [step(entry + 1, 'Object', leakedField, { leaked: true })] : []),
  ]);
// Code loaded once after warm-up: a schema held by another module scope, allocated in interval 1 only.
const schemaOnce = cluster([
  step(1, '(GC roots)'),
  step(40, '<function scope>', 'context', { file: 'file:///repo/system/runtime/config.ts' }),
  step(41, 'ZodObject', 'optionsSchema', { leaked: true }),
]);

describe('growth rule', () => {
  it('owns a cluster by the nodes between the innermost scope and the first leaked object', () => {
    expect([...ownerIds(leak(1, 500, 'event'))]).toEqual([30, 31, 32]);
    expect([...ownerIds(leak(1, 900))]).toEqual([30, 31, 32]);
  });

  it('matches closures kept in a module array: each has its own scope, the array is the owner', () => {
    const handler = (n: number) =>
      cluster([
        step(1, '(GC roots)', undefined, { type: 'synthetic' }),
        step(2, 'Node / Environment', '5', { type: 'native' }),
        step(60, '<function scope>', 'context', { file: 'file:///repo/harness/leak/fixtures/workload.ts' }),
        step(61, 'Array', 'leakedRequestHandlers'),
        step(1000 + n, '<anonymous>', String(n), { type: 'closure', file: 'file:///repo/harness/leak/fixtures/workload.ts' }),
        step(2000 + n, '<function scope>', 'context', { file: 'file:///repo/harness/leak/fixtures/workload.ts' }),
        step(3000 + n, 'Object', 'request', { leaked: true }),
      ]);
    expect([...ownerIds(handler(201))]).toEqual([60, 61]);
    expect(clustersGrowingAcross([[handler(201)], [handler(418)]])).toEqual([handler(418)]);
  });

  it('counts a cluster that grew under the same owner in both intervals, and not code loaded once', () => {
    const second = leak(2, 900, 'native');
    expect(clustersGrowingAcross([[leak(1, 500, 'event'), schemaOnce], [second]])).toEqual([second]);
    expect(clustersGrowingAcross([[schemaOnce], [leak(1, 900)]])).toEqual([]);
    expect(clustersGrowingAcross([[schemaOnce], []])).toEqual([]);
  });

  it('needs two intervals to say anything', () => {
    expect(clustersGrowingAcross([[leak(1, 5)]])).toEqual([]);
  });
});
