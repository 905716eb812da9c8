/** The journal of one run, from its context once teardown is done: what every report is rendered from. */
import { readFile } from 'node:fs/promises';
import { cpus } from 'node:os';
import { errorMessage } from '../../system/errors.ts';
import { gitSha, versions, type RunJournal, type Verdict } from '../report/journal.ts';
import type { CleanupFailure } from './cleanup.ts';
import type { PhaseName, RunContext } from './run-context.ts';
import { expiredWaits } from './waits.ts';

export interface RunEnd {
  verdict: Verdict;
  /** For `error`: what broke the run, and in which phase. */
  error?: unknown;
  failedPhase?: PhaseName | 'done';
  teardown: CleanupFailure[];
}

export async function buildRunJournal(ctx: RunContext, end: RunEnd): Promise<RunJournal> {
  const { scenario, state } = ctx;
  const endedAt = new Date();
  const source = await readFile(scenario.file, 'utf8').catch(() => undefined);
  const { error } = end;
  const code = (error as { code?: unknown } | undefined)?.code;
  return {
    version: 1,
    scenario: {
      name: scenario.name,
      kind: scenario.kind,
      file: scenario.file,
      ...(scenario.description ? { description: scenario.description } : {}),
      ...(source !== undefined ? { source } : {}),
      resolved: scenario,
    },
    profile: scenario.profile,
    seed: scenario.seed,
    versions: { ...versions(), surrealdb: { ...versions().surrealdb, ...(state.dbServerVersion ? { server: state.dbServerVersion } : {}) } },
    gitSha: gitSha() ?? null,
    host: { platform: process.platform, arch: process.arch, cpus: cpus().length },
    startedAt: ctx.startedAt.toISOString(),
    endedAt: endedAt.toISOString(),
    zeroAt: new Date(ctx.clock.zeroWall).toISOString(),
    durationMs: endedAt.getTime() - ctx.startedAt.getTime(),
    verdict: end.verdict,
    ...(error !== undefined
      ? { error: { ...(typeof code === 'string' && code !== '' ? { code } : {}), message: errorMessage(error), phase: end.failedPhase } }
      : {}),
    phases: ctx.phases,
    faults: state.timeline?.records ?? [],
    ...(state.measured
      ? {
          metrics: {
            ...state.measured.json,
            arrivals: state.measured.arrivals,
            dropped: state.measured.dropped,
            memory: state.measured.memory,
            windows: state.measured.windows,
          },
        }
      : {}),
    ...(state.checks ? { checks: state.checks } : {}),
    gates: state.gates,
    ...(state.drain ? { drain: state.drain } : {}),
    waits: expiredWaits(ctx.history.entries()),
    ...(state.submissions ? { submissions: state.submissions } : {}),
    ...(state.salvaged ? { salvaged: true } : {}),
    ...(state.leak ? { leak: state.leak } : {}),
    ...(state.workload ? { workload: state.workload } : {}),
    ...(state.sut ? { orchestrator: { pids: [...state.sut.pids], exits: [...state.sut.exits] } } : {}),
    teardown: end.teardown,
    artifacts: ctx.artifacts,
    history: ctx.history.toJSON(),
  };
}
