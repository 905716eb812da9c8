/**
 * Clean-up of Docker resources without Ryuk (its image cannot be pulled here). Everything the
 * containers provider creates carries OWNER_LABELS: `oya.harness=env`, the owner's hostname, pid
 * and process start time. Three layers:
 *   1. stop() removes them (teardown.ts stack);
 *   2. the synchronous exit/signal hooks of teardown.ts remove them when the process ends without
 *      stop() (uncaught error, SIGTERM, SIGINT, SIGHUP);
 *   3. sweepOrphans(), run at every containers start and by `npm run env:docker -- --sweep`,
 *      removes whatever a process that no longer runs left (SIGKILL, OOM, power loss).
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { isProcessRunning } from '../../../system/util/index.ts';

/** Label on every container and network the containers provider creates. */
export const HARNESS_LABEL = 'oya.harness';
const OWNER_HOST = 'oya.owner.host';
const OWNER_PID = 'oya.owner.pid';
const OWNER_START = 'oya.owner.start';

/** Start time of a process in clock ticks since boot (/proc/PID/stat field 22); '' when unknown. */
export function processStartTime(pid: number): string {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may contain spaces and parentheses: count from the last ')'.
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19] ?? '';
  } catch {
    return '';
  }
}

/** Labels naming this process as the owner. */
export function ownerLabels(): Record<string, string> {
  return { [HARNESS_LABEL]: 'env', [OWNER_HOST]: hostname(), [OWNER_PID]: String(process.pid), [OWNER_START]: processStartTime(process.pid) };
}

/** True when the owner named by these labels still runs (a reused pid has another start time). */
export function ownerAlive(labels: Record<string, string | undefined>): boolean {
  if (labels[OWNER_HOST] !== hostname()) return true; // another machine's: not ours to judge
  const pid = Number(labels[OWNER_PID]);
  if (!Number.isInteger(pid) || pid <= 0 || !isProcessRunning(pid)) return false;
  return !labels[OWNER_START] || processStartTime(pid) === labels[OWNER_START];
}

function dockerSync(args: string[]): string {
  const env = { ...process.env, DOCKER_CLI_HINTS: 'false' };
  return execFileSync('docker', args, { encoding: 'utf8', timeout: 60_000, stdio: ['ignore', 'pipe', 'pipe'], env });
}

interface Labelled {
  id: string;
  labels: Record<string, string>;
}

function listLabelled(kind: 'container' | 'network' | 'volume'): Labelled[] {
  const format = kind === 'volume' ? '{{.Name}}\t{{json .Labels}}' : '{{.ID}}\t{{json .Labels}}';
  const args = kind === 'container' ? ['ps', '-a'] : [kind, 'ls'];
  const out = dockerSync([...args, '--filter', `label=${HARNESS_LABEL}`, '--format', format]);
  return out
    .split('\n')
    .filter(Boolean)
    .map((line) => {
      const [id, json] = line.split('\t');
      // `docker ps` prints labels as "k=v,k=v" even with json; networks and volumes as a JSON map.
      const labels: Record<string, string> = {};
      const raw = JSON.parse(json!) as string | Record<string, string>;
      if (typeof raw === 'string')
        for (const pair of raw.split(',')) {
          const i = pair.indexOf('=');
          if (i > 0) labels[pair.slice(0, i)] = pair.slice(i + 1);
        }
      else Object.assign(labels, raw);
      return { id: id!, labels };
    });
}

/** Removes (force, with anonymous volumes) the labelled resources `select` picks; returns what it removed. */
function removeWhere(select: (labels: Record<string, string>) => boolean): { containers: string[]; networks: string[]; volumes: string[] } {
  const removed = { containers: [] as string[], networks: [] as string[], volumes: [] as string[] };
  const containers = listLabelled('container')
    .filter((c) => select(c.labels))
    .map((c) => c.id);
  if (containers.length > 0) {
    dockerSync(['rm', '-f', '-v', ...containers]);
    removed.containers = containers;
  }
  for (const kind of ['network', 'volume'] as const) {
    for (const item of listLabelled(kind).filter((n) => select(n.labels))) {
      try {
        dockerSync([kind, 'rm', item.id]);
        removed[kind === 'network' ? 'networks' : 'volumes'].push(item.id);
      } catch {
        // still in use by a container of a live owner: the next sweep gets it
      }
    }
  }
  return removed;
}

/** Removes everything whose owner process is gone. Never throws: a sweep must not fail a run. */
export function sweepOrphans(): { containers: string[]; networks: string[]; volumes: string[]; error?: string } {
  try {
    return removeWhere((labels) => !ownerAlive(labels));
  } catch (err) {
    return { containers: [], networks: [], volumes: [], error: (err as Error).message };
  }
}

/** Removes everything this process created (the exit-hook path; synchronous on purpose). */
export function removeOwnedByThisProcess(): void {
  const mine = ownerLabels();
  removeWhere((labels) => labels[OWNER_PID] === mine[OWNER_PID] && labels[OWNER_HOST] === mine[OWNER_HOST]);
}

/** What labelled resources exist (for tests and `env:docker --sweep` output). */
export function listHarnessResources(): { containers: Labelled[]; networks: Labelled[]; volumes: Labelled[] } {
  return { containers: listLabelled('container'), networks: listLabelled('network'), volumes: listLabelled('volume') };
}
