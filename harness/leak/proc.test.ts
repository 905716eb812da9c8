import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { describe, expect, it, onTestFinished } from 'vitest';
import { parseCpuSeconds, parseVmRssBytes, readProcessStat } from './proc.ts';

describe('parsing /proc text', () => {
  it('reads VmRSS in kB as bytes', () => {
    expect(parseVmRssBytes('Name:\tnode\nVmRSS:\t   51200 kB\nThreads: 7\n')).toBe(51200 * 1024);
    expect(parseVmRssBytes('Name:\tzombie\nState:\tZ\n')).toBeUndefined();
  });
  it('counts stat fields after the last parenthesis, so odd process names do not shift them', () => {
    const rest = 'S 1 1 0 0 -1 4194304 100 0 0 0 250 50 0 0 20 0 7 0 151388 745713664 10080';
    expect(parseCpuSeconds(`42 (node) ${rest}`)).toBe(3);
    expect(parseCpuSeconds(`42 (we ird) (x) ${rest}`)).toBe(3);
  });
});

describe('readProcessStat on real processes', () => {
  it('reads RSS and CPU time of a live child, and CPU time grows while it spins', async () => {
    const child = spawn(process.execPath, ['-e', 'const end = Date.now() + 60_000; while (Date.now() < end) {}'], { stdio: 'ignore' });
    onTestFinished(() => void child.kill('SIGKILL'));
    await new Promise((r) => setTimeout(r, 300));
    const first = await readProcessStat(child.pid!);
    await new Promise((r) => setTimeout(r, 700));
    const second = await readProcessStat(child.pid!);
    expect(first.rssBytes).toBeGreaterThan(10 * 1024 * 1024);
    expect(second.cpuSeconds - first.cpuSeconds).toBeGreaterThan(0.3);
  });
  it('throws HARN_LEAK_PROC_READ for a process that has exited', async () => {
    const child = spawn(process.execPath, ['-e', '0'], { stdio: 'ignore' });
    await once(child, 'exit');
    await expect(readProcessStat(child.pid!)).rejects.toMatchObject({ code: 'HARN_LEAK_PROC_READ' });
  });
});
