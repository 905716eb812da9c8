/**
 * A process's children and descendants, read from Linux /proc: the one process-tree scanner of the
 * codebase (finding an orchestrator's workers, a run's leftover processes, a helper's holder process).
 *
 * A child is a process whose parent pid (field 4 of /proc/<n>/stat) is `pid`, whichever of `pid`'s
 * threads forked it. `childPids` reads that from the kernel's per-thread lists,
 * /proc/<pid>/task/<tid>/children (a few small files), and scans every /proc/<n>/stat only on a
 * kernel built without them (CONFIG_PROC_CHILDREN). `descendantPids` scans once, so the whole tree
 * comes from one pass. Both are snapshots: a process may start or exit while they read. Zombies
 * (exited, not yet reaped) are still listed, as the kernel lists them; `isProcessRunning` tells them apart.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';

/** Which children `childPids` lists. */
export interface ChildPidsOptions {
  /**
   * Only those forked by `pid`'s main thread: what a Node process spawned itself (an orchestrator's
   * workers), without the helpers of its other threads (tsx's esbuild service, started from tsx's
   * module-loader thread). A kernel without per-thread children lists cannot tell: every child then.
   * @default false
   */
  mainThreadOnly?: boolean;
}

/**
 * The direct children of `pid`. Empty when `pid` is not a live process (or there is no /proc).
 * @example childPids(process.pid) // [48211, 48212]
 */
export function childPids(pid: number, options: ChildPidsOptions = {}): number[] {
  if (!isPid(pid)) return [];
  if (!kernelListsChildren()) return [...(childrenByParent(parentTable()).get(pid) ?? [])];
  let tids: string[];
  try {
    tids = options.mainThreadOnly === true ? [String(pid)] : readdirSync(`/proc/${pid}/task`);
  } catch {
    return []; // not a live process
  }
  const out: number[] = [];
  for (const tid of tids) {
    try {
      out.push(...parsePidList(readFileSync(`/proc/${pid}/task/${tid}/children`, 'utf8')));
    } catch {
      // that thread (or the whole process) ended while we looked
    }
  }
  return out;
}

/**
 * Every descendant of `pid` (children, grandchildren, …), parents before their children. Empty when
 * `pid` is not a live process (or there is no /proc).
 */
export function descendantPids(pid: number): number[] {
  if (!isPid(pid)) return [];
  const childrenOf = childrenByParent(parentTable());
  const out = [...(childrenOf.get(pid) ?? [])];
  // Breadth first: each process's children are appended after it, and the walk reaches them in turn.
  // `seen` guards against a cycle, which pid reuse during the pass could in theory fake.
  const seen = new Set([pid, ...out]);
  for (let i = 0; i < out.length; i++) {
    for (const child of childrenOf.get(out[i]!) ?? []) {
      if (!seen.has(child)) out.push(child);
      seen.add(child);
    }
  }
  return out;
}

/** Every process's parent pid, from one pass over /proc/<n>/stat. */
function parentTable(): Map<number, number> {
  const parentOf = new Map<number, number>();
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return parentOf; // no procfs
  }
  for (const name of entries) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      // Field 4 (ppid) follows the parenthesised command name (field 2), which may itself hold spaces and ')'.
      parentOf.set(Number(name), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]));
    } catch {
      // the process ended while we looked
    }
  }
  return parentOf;
}

function childrenByParent(parentOf: ReadonlyMap<number, number>): Map<number, number[]> {
  const childrenOf = new Map<number, number[]>();
  for (const [child, parent] of parentOf) {
    const siblings = childrenOf.get(parent);
    if (siblings) siblings.push(child);
    else childrenOf.set(parent, [child]);
  }
  return childrenOf;
}

const parsePidList = (text: string): number[] => text.trim().split(/\s+/).filter(Boolean).map(Number);

const isPid = (pid: number): boolean => Number.isSafeInteger(pid) && pid > 0;

let childrenFiles: boolean | undefined;
/** Whether this kernel has /proc/<pid>/task/<tid>/children (our own main thread's always exists if so). */
function kernelListsChildren(): boolean {
  childrenFiles ??= existsSync(`/proc/${process.pid}/task/${process.pid}/children`);
  return childrenFiles;
}
