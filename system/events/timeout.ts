/**
 * A deadline around any promise. The SDK has no client-side timeout (a query on a dead or
 * half-open connection waits forever), so every DB call goes through this.
 */
import { DbTimeoutError } from './errors.ts';

/**
 * Resolves or rejects like `work`, or rejects with ORCH_DB_TIMEOUT after `timeoutMs`. The work
 * itself is not cancelled (the SDK cannot cancel a sent query); a late rejection is swallowed so
 * it never becomes an unhandled rejection.
 */
export function withTimeout<T>(work: Promise<T>, timeoutMs: number, operation: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new DbTimeoutError(operation, timeoutMs)), timeoutMs);
  });
  work.catch(() => {});
  return Promise.race([work, deadline]).finally(() => clearTimeout(timer));
}
