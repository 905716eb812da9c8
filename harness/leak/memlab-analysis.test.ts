import { describe, expect, it } from 'vitest';
import { attributeClusters, leakVerdict } from './attribution.ts';
import { parseStepLine, type LeakCluster } from './memlab-analysis.ts';

describe('parseStepLine (memlab trace lines)', () => {
  it('parses the root line', () => {
    expect(parseStepLine('0: [<anonymous>](synthetic) @1 $retained-size:18406968   $snapshotIdTag:1 ')).toEqual({
      name: '<anonymous>',
      type: 'synthetic',
      id: 1,
      retainedSize: 18406968,
      leaked: false,
    });
  });
  it('parses an edge, a bracketed node name and the leaked tag', () => {
    expect(parseStepLine('8:   --7000 (element)--->  [<anonymous>](closure) @225089 $retained-size:1112 $memLabTag:leaked  $snapshotIdTag:2 ')).toEqual({
      edge: '7000',
      edgeType: 'element',
      name: '<anonymous>',
      type: 'closure',
      id: 225089,
      retainedSize: 1112,
      leaked: true,
    });
    expect(parseStepLine('1:   --5 (element)--->  [Node / Environment](synthetic) @422204160 $retained-size:11816   $snapshotIdTag:3 ')).toMatchObject({
      name: 'Node / Environment',
      type: 'synthetic',
      edge: '5',
    });
    expect(parseStepLine('7:   --leakedRequestHandlers (variable)--->  [Array](object) @124067 $retained-size:12804328   $snapshotIdTag:1 ')).toMatchObject({
      edge: 'leakedRequestHandlers',
      edgeType: 'variable',
      name: 'Array',
    });
  });
  it('returns undefined for other keys', () => {
    expect(parseStepLine('dominator id (extra)')).toBeUndefined();
  });
});

describe('attributeClusters', () => {
  const cluster = (files: string[]): LeakCluster => ({ steps: [], leakedRetainedSize: 1, files, summary: 's' });
  const repoRoot = '/repo';

  it('attributes a trace through a file under system/ or harness/ to our code, even after node internals', () => {
    const [a, b] = attributeClusters([cluster(['node:internal/timers', 'file:///repo/system/pool/pool.ts']), cluster(['/repo/harness/x.ts'])], { repoRoot });
    expect(a).toMatchObject({ owner: 'ours', evidence: '/repo/system/pool/pool.ts' });
    expect(b).toMatchObject({ owner: 'ours', evidence: '/repo/harness/x.ts' });
  });
  it('treats node_modules (even nested under harness/) as a dependency, and node: or nothing as node-internal', () => {
    const out = attributeClusters(
      [cluster(['file:///repo/node_modules/undici/lib/pool.js']), cluster(['file:///repo/harness/node_modules/x/i.js']), cluster(['node:events']), cluster([])],
      { repoRoot },
    );
    expect(out.map((c) => c.owner)).toEqual(['dependency', 'dependency', 'node-internal', 'node-internal']);
  });
  it('does not count a sibling folder whose name only starts like ours', () => {
    expect(attributeClusters([cluster(['file:///repo/systemd/x.ts'])], { repoRoot })[0]!.owner).toBe('node-internal');
  });
  it('counts owners in the verdict', () => {
    const v = leakVerdict(attributeClusters([cluster(['/repo/system/a.ts']), cluster(['node:fs']), cluster(['/repo/node_modules/a/b.js'])], { repoRoot }));
    expect([v.ours, v.dependency, v.nodeInternal]).toEqual([1, 1, 1]);
  });
});
