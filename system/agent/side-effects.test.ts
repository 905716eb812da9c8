/** The side-effect log: one file kept open per process, every record fsync'd and readable back. */
import { mkdtemp, readdir, readlink, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createSideEffectLog, readSideEffects } from './side-effects.ts';

const dirs: string[] = [];
afterEach(async () => {
  for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
});

/** How many of this process's descriptors point at `path`. */
async function openDescriptors(path: string): Promise<number> {
  let n = 0;
  for (const fd of await readdir('/proc/self/fd')) {
    if ((await readlink(`/proc/self/fd/${fd}`).catch(() => '')) === path) n += 1;
  }
  return n;
}

describe('createSideEffectLog', () => {
  it('keeps one descriptor open across applies (also concurrent ones), and every line reads back', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'oya-side-effects-'));
    dirs.push(dir);
    const log = createSideEffectLog(join(dir, 'nested'), 4242);
    const path = join(dir, 'nested', 'side-effects-4242.jsonl');
    const record = (step: number) => ({ key: `b:${step}`, beadId: 'b', step, attempt: 1, pid: 4242, at: new Date(1_000 + step).toISOString() });
    await log.apply(record(1));
    expect(await openDescriptors(path)).toBe(1);
    await Promise.all([2, 3, 4, 5].map((step) => log.apply(record(step))));
    expect(await openDescriptors(path)).toBe(1);
    expect((await readSideEffects(join(dir, 'nested'))).map((r) => r.step)).toEqual([1, 2, 3, 4, 5]);
    await log.close();
    expect(await openDescriptors(path)).toBe(0);
    await log.apply(record(6)); // reopens
    await log.close();
    expect((await readSideEffects(join(dir, 'nested'))).map((r) => r.step)).toEqual([1, 2, 3, 4, 5, 6]);
  });
});
