import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { describe, expect, it } from 'vitest';
import { isProcessRunning } from './process.ts';

describe('isProcessRunning', () => {
  it('is true for a live process and false once it exited, also before it is reaped', async () => {
    expect(isProcessRunning(process.pid)).toBe(true);
    const child = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60_000)'], { stdio: 'ignore' });
    await once(child, 'spawn');
    expect(isProcessRunning(child.pid!)).toBe(true);
    // Until Node reaps it (the 'exit' event), the killed child is a zombie that still answers kill(pid, 0).
    const exited = once(child, 'exit');
    child.kill('SIGKILL');
    const deadline = Date.now() + 5_000;
    while (isProcessRunning(child.pid!) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    expect(isProcessRunning(child.pid!)).toBe(false);
    await exited;
  });

  it('is false for a pid that does not exist', () => {
    expect(isProcessRunning(2 ** 22 + 12345)).toBe(false);
  });
});
