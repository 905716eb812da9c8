/**
 * Builds a consistent "world" for checker tests — what a correct system leaves behind: the
 * history of submissions, gapless bead streams, one side effect per step, API == log — so a test
 * can break exactly one thing and see exactly that thing reported.
 */
import { History } from '../history/history.ts';
import type { BeadState, CheckEvent, CheckInput, SideEffect } from './types.ts';

/** One bead of a world and how its submission went. */
export interface WorldBead {
  id: string;
  status: 'succeeded' | 'failed' | 'cancelled';
  steps: number;
  /**
   * ok: acknowledged; recovered: the only attempt was indeterminate; retried: unknown, then ok;
   * none: never submitted (a corrupt world); failed: only a definitely-failed submission (corrupt).
   */
  submit: 'ok' | 'recovered' | 'retried' | 'none' | 'failed';
  workflowId?: string;
  /** Defaults to `bead:<id>`, the API's key for a client-given id. */
  key?: string;
}

/** A world whose parts are plain mutable arrays/objects, for tests to corrupt. */
export interface World {
  history: History;
  finalBeads: Record<string, BeadState>;
  logBeads: Record<string, BeadState>;
  events: CheckEvent[];
  sideEffects: SideEffect[];
  input(): CheckInput;
}

const TERMINAL_EVENT = { succeeded: 'BeadSucceeded', failed: 'BeadFailed', cancelled: 'BeadCancelled' } as const;

/** Builds the world a correct system would leave for `beads`, plus `noise` submissions that never took effect. */
export function buildWorld(beads: readonly WorldBead[], noise: { failed?: number; notApplied?: number } = {}): World {
  let now = 0;
  const history = new History({ clock: () => (now += 1) });
  const finalBeads: Record<string, BeadState> = {};
  const logBeads: Record<string, BeadState> = {};
  const events: CheckEvent[] = [];
  const sideEffects: SideEffect[] = [];
  for (const bead of beads) {
    const key = bead.key ?? `bead:${bead.id}`;
    const request = { kind: 'submit', idempotencyKey: key, beadIds: [bead.id], ...(bead.workflowId ? { workflowId: bead.workflowId } : {}) };
    if (bead.submit === 'recovered' || bead.submit === 'retried') history.invoke(request).unknown({ code: 'UND_ERR_HEADERS_TIMEOUT' });
    if (bead.submit === 'ok' || bead.submit === 'retried') history.invoke(request).ok({ status: 201, beadIds: [bead.id] });
    if (bead.submit === 'failed') history.invoke(request).fail({ status: 400, code: 'ORCH_API_INVALID_BODY' });
    const stream = `bead:${bead.id}`;
    const types = ['BeadSubmitted', 'BeadQueued', 'BeadStarted', ...Array.from({ length: bead.steps }, () => 'StepCheckpointed'), TERMINAL_EVENT[bead.status]];
    types.forEach((type, i) => {
      const data =
        type === 'BeadSubmitted'
          ? {
              beadId: bead.id,
              priority: 2,
              maxAttempts: 3,
              idempotencyKey: key,
              workflowId: bead.workflowId,
              input: { agent: { steps: bead.steps } },
              bead: { id: bead.id, dependencies: [] },
            }
          : type === 'BeadStarted'
            ? { attempt: 1, workerId: 'w1', fromStep: 0 }
            : type === 'StepCheckpointed'
              ? { step: i - 2 }
              : type === 'BeadQueued' || type === 'BeadCancelled'
                ? {}
                : { attempt: 1, ...(type === 'BeadFailed' ? { error: { type: 'Boom', message: 'boom' } } : {}) };
      // `cursor` is the global position (toCheckEvents): streams are written one after another.
      events.push({ stream, seq: i + 1, type, data, idempotencyKey: `${stream}:${i + 1}`, at: i, cursor: events.length + 1 });
    });
    for (let step = 1; step <= bead.steps; step++) {
      sideEffects.push({ key: `${bead.id}:${step}`, beadId: bead.id, step, attempt: 1, pid: 100, at: step });
    }
    const state: BeadState = {
      status: bead.status,
      attempts: 1,
      idempotencyKey: key,
      workflowId: bead.workflowId ?? null,
      lastCheckpointStep: bead.steps > 0 ? bead.steps : null,
    };
    finalBeads[bead.id] = { ...state };
    logBeads[bead.id] = { ...state };
  }
  for (let i = 0; i < (noise.failed ?? 0); i++) {
    history.invoke({ kind: 'submit', idempotencyKey: `noise-fail-${i}` }).fail({ status: 409, code: 'ORCH_API_IDEMPOTENCY_MISMATCH' });
  }
  for (let i = 0; i < (noise.notApplied ?? 0); i++) {
    history.invoke({ kind: 'submit', idempotencyKey: `noise-unknown-${i}`, beadIds: [`ghost-${i}`] }).unknown({ code: 'ECONNRESET' });
  }
  // input() reads the parts as they are then, so a test may also replace one (a record without a bead).
  const world: World = {
    history,
    finalBeads,
    logBeads,
    events,
    sideEffects,
    input: () => ({ history: world.history, finalBeads: world.finalBeads, logBeads: world.logBeads, events: world.events, sideEffects: world.sideEffects }),
  };
  return world;
}
