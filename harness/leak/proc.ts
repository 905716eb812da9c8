/**
 * Resident memory and CPU time of any process, read from Linux /proc (no cooperation from it).
 */
import { readFile } from 'node:fs/promises';
import { LeakProcReadError } from './errors.ts';

/**
 * Clock ticks per second for /proc/<pid>/stat times. USER_HZ is 100 on every Linux ABI Node runs on
 * (x86-64, arm64); `getconf CLK_TCK` prints it. Not read at run time to avoid spawning a process.
 */
const USER_HZ = 100;

/** One reading of one process. */
export interface ProcessStat {
  pid: number;
  /** Resident set size (VmRSS), bytes. */
  rssBytes: number;
  /** User + system CPU time since the process started, seconds. */
  cpuSeconds: number;
}

/** Parses `VmRSS:   123456 kB` out of /proc/<pid>/status text. */
export function parseVmRssBytes(statusText: string): number | undefined {
  const m = /^VmRSS:\s+(\d+)\s+kB$/m.exec(statusText);
  return m?.[1] === undefined ? undefined : Number(m[1]) * 1024;
}

/**
 * Parses utime + stime (fields 14 and 15) out of /proc/<pid>/stat. The command name (field 2) is in
 * parentheses and may itself contain spaces or `)`, so fields are counted after the LAST `)`.
 */
export function parseCpuSeconds(statText: string): number | undefined {
  const rest = statText.slice(statText.lastIndexOf(')') + 2).split(' ');
  // rest[0] is field 3 (state), so field n is rest[n - 3].
  const utime = Number(rest[11]);
  const stime = Number(rest[12]);
  return Number.isFinite(utime) && Number.isFinite(stime) ? (utime + stime) / USER_HZ : undefined;
}

/** Reads RSS and CPU time of `pid`. Throws {@link LeakProcReadError} when the process is gone. */
export async function readProcessStat(pid: number): Promise<ProcessStat> {
  let status: string;
  let stat: string;
  try {
    [status, stat] = await Promise.all([readFile(`/proc/${pid}/status`, 'utf8'), readFile(`/proc/${pid}/stat`, 'utf8')]);
  } catch (err) {
    throw new LeakProcReadError(pid, (err as NodeJS.ErrnoException).code ?? String(err), err);
  }
  const rssBytes = parseVmRssBytes(status);
  const cpuSeconds = parseCpuSeconds(stat);
  // A zombie has no VmRSS line: it no longer holds memory, and is as good as gone for sampling.
  if (rssBytes === undefined || cpuSeconds === undefined) throw new LeakProcReadError(pid, 'no VmRSS/cpu fields (zombie or exited)');
  return { pid, rssBytes, cpuSeconds };
}
