import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { afterEach, describe, expect, it } from 'vitest';
import { isProcessRunning } from './process.ts';
import { childPids, descendantPids } from './process-tree.ts';

/**
 * A real tree: this process → `parent` (node) → one sleeper forked from its main thread and one from
 * a worker thread (the kernel files the second under that thread's own children list).
 */
const PARENT = `
const { spawn } = require('node:child_process');
const { Worker } = require('node:worker_threads');
const sleep = () => spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60000)'], { stdio: 'ignore' }).pid;
const fromMain = sleep();
const worker = new Worker("require('node:worker_threads').parentPort.postMessage(require('node:child_process').spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60000)'], { stdio: 'ignore' }).pid); setInterval(() => {}, 60000)", { eval: true });
worker.once('message', (fromThread) => process.stdout.write(JSON.stringify({ fromMain, fromThread }) + '\\n'));
setInterval(() => {}, 60000);
`;

describe('childPids / descendantPids', () => {
  const started: number[] = [];
  /** SIGKILLs what the test started, grandchildren first: killing the parent alone would orphan them. */
  const killStarted = (): void => {
    for (const pid of started.splice(0).reverse()) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
  };
  afterEach(killStarted);

  async function startTree(): Promise<{ parent: ChildProcess; fromMain: number; fromThread: number }> {
    const parent = spawn(process.execPath, ['-e', PARENT], { stdio: ['ignore', 'pipe', 'inherit'] });
    started.push(parent.pid!);
    const [line] = (await once(createInterface({ input: parent.stdout }), 'line')) as [string];
    const { fromMain, fromThread } = JSON.parse(line) as { fromMain: number; fromThread: number };
    started.push(fromMain, fromThread);
    return { parent, fromMain, fromThread };
  }

  it('finds the real children of a process (forked from any of its threads, or from its main thread only) and its whole tree', async () => {
    const { parent, fromMain, fromThread } = await startTree();
    expect(childPids(process.pid)).toContain(parent.pid);
    expect(childPids(process.pid)).not.toContain(fromMain);
    expect(childPids(parent.pid!).sort()).toEqual([fromMain, fromThread].sort());
    expect(childPids(parent.pid!, { mainThreadOnly: true })).toEqual([fromMain]);
    expect(childPids(fromMain)).toEqual([]);

    const tree = descendantPids(process.pid);
    expect(tree).toEqual(expect.arrayContaining([parent.pid, fromMain, fromThread]));
    // Parents come before their children.
    expect(tree.indexOf(parent.pid!)).toBeLessThan(tree.indexOf(fromMain));
    expect(descendantPids(parent.pid!).sort()).toEqual([fromMain, fromThread].sort());
    expect(descendantPids(fromThread)).toEqual([]);
  });

  it('yields nothing for a process that has exited, or for something that is not a pid', async () => {
    const { parent, fromMain, fromThread } = await startTree();
    expect(childPids(parent.pid!).sort()).toEqual([fromMain, fromThread].sort());
    const exited = once(parent, 'exit');
    killStarted();
    await exited;
    expect(isProcessRunning(parent.pid!)).toBe(false);
    expect(childPids(parent.pid!)).toEqual([]);
    expect(childPids(parent.pid!, { mainThreadOnly: true })).toEqual([]);
    expect(descendantPids(parent.pid!)).toEqual([]);
    expect(childPids(process.pid)).not.toContain(parent.pid);
    for (const notAPid of [0, -1, 1.5, Number.NaN]) {
      expect(childPids(notAPid)).toEqual([]);
      expect(descendantPids(notAPid)).toEqual([]);
    }
  });
});
