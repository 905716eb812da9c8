/**
 * Temp dirs that name their owner, and a sweep of the ones whose owner died.
 *
 * A run removes its own dirs on every path it controls (pass, fail, error, cancel, timeout). The
 * one path it does not control is being SIGKILLed (or the machine's OOM killer): no hook runs, so
 * the run dir, the environment dir and any tmpfs mounted inside them stay. Each dir therefore gets
 * an `.owner` file (pid and the process's start time, so a recycled pid is not mistaken for the
 * owner), and the next run sweeps every dir of ours whose owner is gone — unmounting what is
 * mounted inside it first — the way the containers provider sweeps the labels of dead runs.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { execFileSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** The prefixes of the temp dirs a run creates (and the sweep looks at). */
export const OWNED_PREFIXES = Object.freeze(['oya-run-', 'oya-env-']);

const OWNER_FILE = '.owner';

/** Field 22 of /proc/<pid>/stat (clock ticks after boot): with the pid, it names one process. */
function startTime(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) is parenthesised and may hold spaces: count from after it.
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
  } catch {
    return undefined;
  }
}

const ownerStamp = (pid: number): string => `${pid} ${startTime(pid) ?? '?'}\n`;

/** mkdtemp under the OS temp dir, stamped with this process as its owner. */
export async function makeOwnedTempDir(prefix: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  await writeFile(join(dir, OWNER_FILE), ownerStamp(process.pid));
  return dir;
}

/** True when the stamp names a live process (same pid, same start time). */
function ownerAlive(stamp: string): boolean {
  const [pidText, started] = stamp.trim().split(' ');
  const pid = Number(pidText);
  if (!Number.isInteger(pid) || pid <= 0) return false;
  const now = startTime(pid);
  return now !== undefined && (started === '?' || now === started);
}

/** Mount points at or under `dir`, deepest first (so nested mounts come off before their parent). */
function mountsUnder(dir: string): string[] {
  let text: string;
  try {
    text = readFileSync('/proc/mounts', 'utf8');
  } catch {
    return [];
  }
  return text
    .split('\n')
    .map((line) => line.split(' ')[1])
    .filter((m): m is string => m !== undefined && (m === dir || m.startsWith(`${dir}/`)))
    .sort((a, b) => b.length - a.length);
}

/**
 * Removes every owned temp dir whose owner is dead; returns the dirs removed. Dirs without an
 * owner file (being created right now, or not ours) are left alone. Never throws: a dir it cannot
 * remove is left for the next sweep.
 */
export async function sweepDeadOwnersTempDirs(root: string = tmpdir(), prefixes: readonly string[] = OWNED_PREFIXES): Promise<string[]> {
  let names: string[];
  try {
    names = readdirSync(root).filter((n) => prefixes.some((p) => n.startsWith(p)));
  } catch {
    return [];
  }
  const removed: string[] = [];
  for (const name of names) {
    const dir = join(root, name);
    const stamp = await readFile(join(dir, OWNER_FILE), 'utf8').catch(() => undefined);
    if (stamp === undefined || ownerAlive(stamp)) continue;
    for (const mount of mountsUnder(dir)) {
      try {
        execFileSync('umount', ['-l', mount], { stdio: 'ignore' });
      } catch {
        // not ours to unmount (or already gone): rm below fails on it and the dir stays
      }
    }
    try {
      await rm(dir, { recursive: true, force: true });
      removed.push(dir);
    } catch {
      // busy or not permitted: the next sweep tries again
    }
  }
  return removed;
}
