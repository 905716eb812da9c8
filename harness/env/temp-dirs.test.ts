import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { makeOwnedTempDir, sweepDeadOwnersTempDirs } from './temp-dirs.ts';

const roots: string[] = [];
afterEach(async () => {
  for (const root of roots.splice(0)) await rm(root, { recursive: true, force: true });
});

async function root(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'oya-sweep-test-'));
  roots.push(dir);
  return dir;
}

function dirWithOwner(parent: string, name: string, stamp: string | undefined): string {
  const dir = join(parent, name);
  mkdirSync(dir);
  writeFileSync(join(dir, 'data.txt'), 'x');
  if (stamp !== undefined) writeFileSync(join(dir, '.owner'), stamp);
  return dir;
}

const myStartTime = (): string => {
  const stat = readFileSync('/proc/self/stat', 'utf8');
  return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19]!;
};

describe('sweepDeadOwnersTempDirs', () => {
  it('removes the dirs whose owner is dead or whose pid was recycled, and keeps live, unowned and foreign ones', async () => {
    const parent = await root();
    const dead = spawnSync(process.execPath, ['-e', '0']).pid; // exited and reaped before we look
    const deadDir = dirWithOwner(parent, 'oya-run-dead-1', `${dead} 12345\n`);
    const recycled = dirWithOwner(parent, 'oya-env-recycled-1', `${process.pid} 1\n`); // our pid, another start time
    const live = dirWithOwner(parent, 'oya-env-live-1', `${process.pid} ${myStartTime()}\n`);
    const unowned = dirWithOwner(parent, 'oya-run-unowned-1', undefined);
    const foreign = dirWithOwner(parent, 'something-else', `${dead} 1\n`);
    const garbage = dirWithOwner(parent, 'oya-run-garbage-1', 'not a stamp');

    const removed = await sweepDeadOwnersTempDirs(parent);

    expect(removed.sort()).toEqual([deadDir, garbage, recycled].sort());
    for (const gone of [deadDir, recycled, garbage]) expect(existsSync(gone)).toBe(false);
    for (const kept of [live, unowned, foreign]) expect(existsSync(kept)).toBe(true);
  });

  it('stamps a dir made by makeOwnedTempDir with this process, so a sweep leaves it', async () => {
    const dir = await makeOwnedTempDir('oya-run-owned-test-');
    roots.push(dir);
    expect(readFileSync(join(dir, '.owner'), 'utf8')).toBe(`${process.pid} ${myStartTime()}\n`);
    expect(await sweepDeadOwnersTempDirs(tmpdir(), ['oya-run-owned-test-'])).toEqual([]);
    expect(existsSync(dir)).toBe(true);
  });

  it('answers an empty list for a root that does not exist', async () => {
    expect(await sweepDeadOwnersTempDirs(join(tmpdir(), 'oya-no-such-root-x'))).toEqual([]);
  });
});
