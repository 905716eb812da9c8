/**
 * The one deadline around a promise outside the event store (system/events has its own,
 * `withTimeout`, which throws ORCH_DB_TIMEOUT and may import nothing from here): resolves or rejects
 * like `work`, or rejects with `expired()` after `ms`. The work itself is not cancelled; its late
 * rejection is swallowed so it never becomes an unhandled rejection. The timer is cleared either way.
 */
export function withDeadline<T>(work: Promise<T>, ms: number, expired: () => Error): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(expired()), ms);
  });
  work.catch(() => undefined);
  return Promise.race([work, deadline]).finally(() => clearTimeout(timer));
}
