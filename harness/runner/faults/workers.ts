/** Finding the orchestrator's worker processes, for the faults that hit one (agent.crash, agent.partition). */
import { readFileSync } from 'node:fs';
import { childPids, sleep } from '../../../system/util/index.ts';
import type { FaultAct } from './kind.ts';

/** How long a `<workflow>.<bead>` / `busiest` pick waits for its bead to run, at most (ms). */
export const PICK_WAIT_MS = 10_000;

/** Child processes of `parentPid` that are Oya workers (OYA_WORKER_ID in their environment). */
export function workerProcesses(parentPid: number | undefined): { pid: number; workerId: string }[] {
  if (parentPid === undefined) return [];
  const found: { pid: number; workerId: string }[] = [];
  for (const pid of childPids(parentPid)) {
    try {
      const environ = readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0');
      const id = environ.find((e) => e.startsWith('OYA_WORKER_ID='));
      if (id) found.push({ pid, workerId: id.slice('OYA_WORKER_ID='.length) });
    } catch {
      // the process ended while we looked
    }
  }
  return found;
}

/** A worker process of the orchestrator: the one running `<workflow>.<bead>`, a busy one, or a seeded random one. */
export async function pickWorker(act: FaultAct<unknown>, target: string, exclude: number[]): Promise<{ pid: number; workerId: string } | undefined> {
  const { sut, api, plan, signal } = act;
  const workers = () => workerProcesses(sut.pid).filter((w) => !exclude.includes(w.pid));
  const ref = /^([^.]+)\.(.+)$/.exec(target);
  if (ref || target === 'busiest') {
    const candidates = ref ? (plan.beadRefs.get(target) ?? []).slice(0, 1) : plan.beadIds;
    // Wait (bounded) until the bead runs: a scripted crash "at 3s" means "the worker running it then".
    const deadline = performance.now() + PICK_WAIT_MS;
    while (!signal.aborted && performance.now() < deadline) {
      for (const beadId of candidates) {
        const res = await api.getBead(beadId).catch(() => undefined);
        const bead = (res?.body as { bead?: { status?: string; workerId?: string | null } } | undefined)?.bead;
        if (bead?.status === 'running' && bead.workerId) {
          const found = workers().find((w) => w.workerId === bead.workerId);
          if (found) return found;
        }
      }
      await sleep(50, signal);
    }
    if (ref) return undefined;
  }
  // No worker at all (the pool respawning after a restart): the first pick waits for one, bounded
  // like the above. Later picks of a `count` do not: once the pool's workers are all hit, that is all.
  const deadline = performance.now() + PICK_WAIT_MS;
  while (exclude.length === 0 && workerProcesses(sut.pid).length === 0 && !signal.aborted && performance.now() < deadline) await sleep(50, signal);
  // Sorted by worker id, so the same seed picks the same slot whatever order /proc lists them in.
  const all = workers().sort((a, b) => a.workerId.localeCompare(b.workerId));
  return all.length === 0 ? undefined : all[Math.floor(act.draw() * all.length)];
}
