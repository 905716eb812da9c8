import { describe, expect, it } from 'vitest';
import type { LeakJournal, LeakPhase } from './leak-phase.ts';
import type { RunContext } from './run-context.ts';
import { salvageLeak } from './salvage.ts';

/** The part of a run context salvageLeak reads: the state and the phase list. */
function contextWith(watch: LeakPhase | undefined, leak?: LeakJournal): RunContext {
  return { state: { phase: 'final-state', gates: [], leakWatch: watch, leak }, phases: [] } as unknown as RunContext;
}

const JOURNAL = { config: {}, series: [], snapshots: [], gates: { status: 'pass', gates: [] }, problems: [] } as unknown as LeakJournal;

function watchFinishing(finish: () => Promise<LeakJournal>): LeakPhase & { calls: number } {
  const watch = {
    calls: 0,
    stop: async () => undefined,
    finish: () => {
      watch.calls++;
      return finish();
    },
    close: async () => undefined,
    destroy: () => undefined,
  };
  return watch;
}

describe('salvageLeak', () => {
  it('runs the leak analysis of a run that broke after its load, and records it as a phase', async () => {
    const watch = watchFinishing(async () => JOURNAL);
    const ctx = contextWith(watch);
    await salvageLeak(ctx);
    expect(ctx.state.leak).toBe(JOURNAL);
    expect(ctx.phases).toEqual([{ name: 'salvage-leak', ms: expect.any(Number) }]);
  });

  it('records a failed analysis without throwing', async () => {
    const ctx = contextWith(watchFinishing(async () => Promise.reject(new Error('memlab failed: bad snapshot'))));
    await salvageLeak(ctx);
    expect(ctx.state.leak).toBeUndefined();
    expect(ctx.phases).toEqual([{ name: 'salvage-leak', ms: expect.any(Number), error: 'memlab failed: bad snapshot' }]);
  });

  it('does nothing when the analysis already ran or the load never ended', async () => {
    const done = watchFinishing(async () => JOURNAL);
    const ctx = contextWith(done, JOURNAL);
    await salvageLeak(ctx);
    await salvageLeak(contextWith(undefined));
    expect(done.calls).toBe(0);
    expect(ctx.phases).toEqual([]);
  });
});
