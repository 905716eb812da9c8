/**
 * Process liveness for cleanup checks and tests. `kill(pid, 0)` alone is not enough here: a child
 * that exited but has not been reaped yet (a zombie — PID 1 on these machines reaps re-parented
 * orphans seconds late) still answers it, so "no orphan left" checks would wait or fail for nothing.
 */
import { existsSync, readFileSync } from 'node:fs';

/** True while `pid` exists and is not a zombie. */
export function isProcessRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM'; // exists, owned by someone else
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Field 3 (state) follows the command name, which is in parentheses and may contain spaces.
    return stat.charAt(stat.lastIndexOf(')') + 2) !== 'Z';
  } catch {
    // Gone between the two calls — or no procfs at all, where the signal probe is all we have.
    return !existsSync('/proc/self/stat');
  }
}
