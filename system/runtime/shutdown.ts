/**
 * Graceful shutdown (SIGINT/SIGTERM), after fastify's preClose → 503 → drain → onClose:
 *   1. refuse new work: `accepting()` turns false, so mutating requests get 503;
 *   2. stop every in-flight attempt (agent abort; a silent worker is stopped) and record it as
 *      queued again — its last checkpoint is already durable, so the next start resumes it;
 *   3. drain the API; 4. stop the supervision tree; 5. flush the outbox and close the log
 *      (surrealkv fsyncs each commit, the outbox fsyncs each line) while the workers stop
 *      (SIGTERM, 5 s, SIGKILL).
 * The whole sequence is bounded; past the bound the caller destroys what is left.
 */
import type { ApiServerHandle } from '../api/index.ts';
import { ABORT_GRACE_MS } from './attempt.ts';
import type { RuntimeContext } from './context.ts';

/** Extra time, beyond the agent abort grace, for stopped attempts to be recorded. */
const RECORD_GRACE_MS = 8000;

/** Runs the shutdown sequence; resolves false if it did not finish within `timeoutMs`. */
export async function shutdown(ctx: RuntimeContext, api: ApiServerHandle, timeoutMs: number): Promise<boolean> {
  const { log } = ctx;
  const started = performance.now();
  const ms = (): number => Math.round(performance.now() - started);
  const sequence = (async () => {
    ctx.state = 'draining';
    ctx.drain.abort();
    log.info({ step: 'draining', inFlight: ctx.attempts.size }, 'shutdown: refusing new work');
    for (const timer of ctx.retryTimers.values()) clearTimeout(timer);
    ctx.retryTimers.clear();
    for (const attempt of ctx.attempts.values()) attempt.stop('shutdown');
    const idle = (): boolean => ctx.attempts.size === 0 && ctx.runners.every((r) => r === null) && ctx.behind.size === 0;
    const settled = await waitFor(idle, ABORT_GRACE_MS + RECORD_GRACE_MS);
    log.info({ step: 'in-flight', settled, ms: ms() }, 'shutdown: in-flight beads stopped and recorded for resumption');
    await api.close();
    log.info({ step: 'api', ms: ms() }, 'shutdown: API closed');
    await ctx.universe?.close();
    log.info({ step: 'supervision', ms: ms() }, 'shutdown: supervision tree stopped');
    // The next start then reads (almost) no log at all.
    await ctx.snapshotter?.snapshot();
    const outbox = ctx.store.health().outboxSize;
    await Promise.all([
      ctx.store.close().then(() => log.info({ step: 'log', outboxBefore: outbox, ms: ms() }, 'shutdown: log flushed and closed')),
      ctx.pool?.stop().then(() => log.info({ step: 'workers', ms: ms() }, 'shutdown: workers stopped')),
    ]);
    ctx.state = 'stopped';
    log.info({ step: 'stopped', ms: ms() }, 'orchestrator stopped');
  })();
  let timer: NodeJS.Timeout | undefined;
  const bound = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), timeoutMs)));
  try {
    return await Promise.race([sequence.then(() => true), bound]);
  } catch (err) {
    log.error({ err }, 'shutdown failed');
    return false;
  } finally {
    clearTimeout(timer);
  }
}

async function waitFor(condition: () => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = performance.now() + timeoutMs;
  while (!condition()) {
    if (performance.now() > deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  return true;
}
