/**
 * memlab on real heap snapshots leaves nothing in the temp directory. memlab 2.0.x creates a
 * default working directory (`$TMPDIR/memlab/…`) at import and on every analysis, whatever workDir
 * it is given; memlab-loader.ts keeps that inside the analysis's own scratch directory. The
 * analysis runs in a child process whose TMPDIR is a fresh directory, so the check sees only what
 * memlab (and our analysis) created there, and runs whatever else the machine has in /tmp.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it, onTestFinished } from 'vitest';

const ANALYSIS_MODULE = new URL('./memlab-analysis.ts', import.meta.url).href;

/** Takes three snapshots of itself (a few objects kept alive between the 2nd and 3rd) and analyses them. */
const CHILD = `
import { writeHeapSnapshot } from 'node:v8';
import { join } from 'node:path';
const { findNodeLeaks } = await import(${JSON.stringify(ANALYSIS_MODULE)});
const dir = process.argv[1];
const kept = [];
const baseline = writeHeapSnapshot(join(dir, 'baseline.heapsnapshot'));
for (let i = 0; i < 200; i++) kept.push({ leakedByTheChild: i });
const target = writeHeapSnapshot(join(dir, 'target.heapsnapshot'));
const final = writeHeapSnapshot(join(dir, 'final.heapsnapshot'));
const clusters = await findNodeLeaks({ baseline, target, final });
console.log(JSON.stringify({ kept: kept.length, summaries: clusters.map((c) => c.summary) }));
`;

describe('memlab analysis', () => {
  it('analyses three real snapshots and leaves nothing in TMPDIR (no memlab/ default directory)', async () => {
    const childTmp = await mkdtemp(join(tmpdir(), 'oya-memlab-tmpdir-'));
    const snapshotDir = await mkdtemp(join(tmpdir(), 'oya-memlab-snaps-'));
    onTestFinished(() => rm(childTmp, { recursive: true, force: true }));
    onTestFinished(() => rm(snapshotDir, { recursive: true, force: true }));
    const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', CHILD, snapshotDir], {
      env: { ...process.env, TMPDIR: childTmp },
      timeout: 120_000,
    });
    const result = JSON.parse(stdout.trim().split('\n').at(-1) ?? '{}') as { kept?: number; summaries?: string[] };
    expect(result.kept).toBe(200);
    // The 200 objects allocated between baseline and target and alive at final: one cluster, the array holding them.
    expect(result.summaries).toEqual([expect.stringMatching(/\[Array\] → \d+ → \[Object\]$/)]);
    // tsx keeps its transform cache in $TMPDIR/tsx-<uid> on purpose (reused by every run): not ours to remove.
    expect((await readdir(childTmp)).filter((name) => !/^tsx-\d+$/.test(name))).toEqual([]);
  }, 150_000);
});
