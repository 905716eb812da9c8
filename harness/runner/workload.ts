/**
 * The workload phase: sends every planned request at its intended time (open model: a slow or
 * failing answer never delays the next arrival) and records each one in the History as
 * invoke → ok | fail | unknown. Invalid requests are compared with the status/code the scenario
 * expects; duplicates re-send the same body with the same Idempotency-Key after the first answer
 * (or `duplicateAfter` later).
 *
 * A cancel `afterStart` waits for its bead to run, bounded (waits.ts): a bead that finished
 * first, never started by the deadline, or was never created (its submission ended fail/unknown
 * and GET answers 404) gets its cancel recorded as `fail` with the reason, never a hang.
 */
import { createHash } from 'node:crypto';
import { track, type History } from '../history/index.ts';
import type { Completion } from '../history/index.ts';
import type { ApiClient, ApiResponse, RawRequest } from './api-client.ts';
import { errorCode } from './api-client.ts';
import { sleep } from '../../system/util/index.ts';
import type { PlannedAction, WorkloadPlan } from './plan.ts';
import type { WaitBudgets } from './waits.ts';

/** An arrival sent later than this after its intended time counts as dropped (`dropped` metric). */
export const DROPPED_LAG_MS = 250;

/** The verdict on one deliberately invalid request. */
export interface InvalidResult {
  phase: string;
  index: number;
  send: string;
  expected: { status: number; code?: string };
  actual: { status?: number; code?: string; error?: string };
  pass: boolean;
}

/** What the workload phase measured besides the History. */
export interface WorkloadOutcome {
  /** Arrivals (submissions) sent. */
  arrivals: number;
  /** Arrivals sent more than DROPPED_LAG_MS late. */
  dropped: number;
  /** Worst send lag (ms). */
  maxLagMs: number;
  invalid: InvalidResult[];
}

/** Options of {@link runWorkload}. */
export interface WorkloadOptions {
  plan: WorkloadPlan;
  api: ApiClient;
  history: History;
  /** ms since the run start (the History's clock). */
  now: () => number;
  /** Aborts waiting (run timeout or error); requests in flight finish on their own. */
  signal: AbortSignal;
  /** Polling period while waiting for a bead to start (cancel afterStart). @default 50 */
  pollMs?: number;
  /** Bounds of the start-of-bead wait (waits.ts: waitBudgets(scenario)). */
  budgets: Pick<WaitBudgets, 'startOfBead' | 'notCreatedGrace'>;
}

/** Per bead, how its submission (all sends of it) ended; absent while one is in flight. */
type Settled = Map<string, Completion>;
const RANK: Record<Completion, number> = { fail: 0, unknown: 1, ok: 2 };

/** Runs the plan; resolves when every request has been answered (or failed). */
export async function runWorkload(options: WorkloadOptions): Promise<WorkloadOutcome> {
  const outcome: WorkloadOutcome = { arrivals: 0, dropped: 0, maxLagMs: 0, invalid: [] };
  const inFlight: Promise<unknown>[] = [];
  const settled: Settled = new Map();
  for (const action of options.plan.actions) {
    await sleep(action.at - options.now(), options.signal);
    if (options.signal.aborted) break;
    if (action.type === 'submit' || action.type === 'submitWorkflow') {
      const lag = options.now() - action.at;
      outcome.arrivals++;
      outcome.maxLagMs = Math.max(outcome.maxLagMs, lag);
      if (lag > DROPPED_LAG_MS) outcome.dropped++;
    }
    inFlight.push(
      execute(action, options, outcome, settled).catch((err: unknown) => {
        // A harness exception while executing a request is history too (it may or may not have been sent).
        options.history.invoke({ kind: action.type, ...beadsOf(action), intendedAt: action.at, process: action.phase }).unknown(err);
      }),
    );
  }
  await Promise.all(inFlight);
  return outcome;
}

async function execute(action: PlannedAction, options: WorkloadOptions, outcome: WorkloadOutcome, settled: Settled): Promise<void> {
  const { api, history } = options;
  switch (action.type) {
    case 'submit':
    case 'submitWorkflow': {
      const request = {
        kind: action.type,
        beadIds: action.type === 'submit' ? [action.beadId] : action.beadIds,
        ...(action.type === 'submitWorkflow' ? { workflowId: action.workflowId } : {}),
        idempotencyKey: action.idempotencyKey,
        // Every send of this action (retries, the duplicate) carries this same body.
        bodyDigest: createHash('sha256').update(JSON.stringify(action.body)).digest('hex').slice(0, 16),
        intendedAt: action.at,
        process: action.phase,
      };
      const send = () => track(history, request, () => api.submit(action.body, action.idempotencyKey), { describe: describeSubmit });
      // Like a client SDK: re-send with the same key while the answer is one the policy retries.
      const sendWithRetries = async (): Promise<Completion> => {
        let best: Completion = 'fail';
        for (let attempt = 1; ; attempt++) {
          const tracked = await send();
          if (RANK[tracked.outcome] > RANK[best]) best = tracked.outcome;
          if (tracked.outcome === 'ok' || attempt >= action.retry.attempts || !retryable(tracked.entry, action.retry.on)) return best;
          await sleep(action.retry.backoffs[attempt - 1] ?? 0, options.signal);
          if (options.signal.aborted) return best;
        }
      };
      let best = await sendWithRetries();
      if (action.resend) {
        // `duplicateAfter`: e.g. past an orchestrator kill, so the key must survive the restart.
        await sleep(action.resendAfter, options.signal);
        if (!options.signal.aborted) {
          const again = await sendWithRetries();
          if (RANK[again] > RANK[best]) best = again;
        }
      }
      for (const id of request.beadIds) settled.set(id, best);
      return;
    }
    case 'cancel': {
      if (action.afterStart !== undefined) {
        const invokedAt = options.now();
        const started = await waitUntilStarted(api, action.beadId, options, settled);
        if (started !== true) {
          // Not sent: recorded as a cancel that definitely did not take effect, with why.
          if (started !== 'aborted')
            history
              .invoke({ kind: 'cancel', beadIds: [action.beadId], intendedAt: action.at, process: action.phase })
              .fail({ code: started.code, message: `${started.message} (waited ${Math.round(options.now() - invokedAt)} ms)` });
          return;
        }
        await sleep(action.afterStart, options.signal);
      }
      await track(history, { kind: 'cancel', beadIds: [action.beadId], intendedAt: action.at, process: action.phase }, () => api.cancel(action.beadId), {
        describe: describeStatus,
      });
      return;
    }
    case 'invalid': {
      const result: InvalidResult = { phase: action.phase, index: action.index, send: action.send, expected: action.expect, actual: {}, pass: false };
      const tracked = await track(history, { kind: 'invalid', intendedAt: action.at, process: action.phase }, () => api.raw(invalidRequest(action.send)), {
        describe: describeStatus,
      });
      if (tracked.value !== undefined) {
        const res = tracked.value;
        result.actual = { status: res.status, ...(errorCode(res) ? { code: errorCode(res) } : {}) };
      } else {
        result.actual = { error: (tracked as { error?: Error }).error?.message ?? 'no response' };
      }
      result.pass = result.actual.status === action.expect.status && (action.expect.code === undefined || result.actual.code === action.expect.code);
      outcome.invalid.push(result);
      return;
    }
  }
}

/** Whether an attempt's completion is one the retry policy re-sends. */
export function retryable(entry: { type: string; status?: number; code?: string }, on: readonly ('unknown' | 'refused' | number)[]): boolean {
  if (entry.type === 'ok') return false;
  if (entry.type === 'unknown' && on.includes('unknown')) return true;
  if (entry.code === 'ECONNREFUSED' && on.includes('refused')) return true;
  return entry.status !== undefined && on.includes(entry.status);
}

function beadsOf(action: PlannedAction): { beadIds?: string[] } {
  if (action.type === 'submit' || action.type === 'cancel') return { beadIds: [action.beadId] };
  if (action.type === 'submitWorkflow') return { beadIds: [...action.beadIds] };
  return {};
}

/** Why a cancel was not sent. */
interface NotStarted {
  code: 'cancel-not-started' | 'cancel-already-finished' | 'cancel-never-created';
  message: string;
}

/**
 * Waits until the bead is running (true), bounded: it finished first, it was never created, or
 * the deadline passed (a NotStarted), or the run ended ('aborted').
 */
async function waitUntilStarted(api: ApiClient, beadId: string, options: WorkloadOptions, settled: Settled): Promise<true | NotStarted | 'aborted'> {
  const deadline = options.now() + options.budgets.startOfBead;
  let missingSince: number | undefined;
  while (!options.signal.aborted) {
    let status: string | undefined;
    let missing = false;
    try {
      const res = await api.getBead(beadId);
      status = (res.body as { bead?: { status?: string } } | undefined)?.bead?.status;
      missing = res.status === 404;
    } catch {
      // The orchestrator may be down (a fault): keep polling until the deadline.
    }
    if (status === 'running') return true;
    if (status === 'succeeded' || status === 'failed' || status === 'cancelled')
      return { code: 'cancel-already-finished', message: `bead ${beadId} was ${status} before it was seen running` };
    const submission = settled.get(beadId);
    // A 404 means nothing while the submission is in flight; once it ended without an ok, the bead may never exist.
    if (missing && submission !== undefined && submission !== 'ok') {
      missingSince ??= options.now();
      if (options.now() - missingSince >= options.budgets.notCreatedGrace) {
        return { code: 'cancel-never-created', message: `bead ${beadId} does not exist: its submission ended ${submission}` };
      }
    } else missingSince = undefined;
    if (options.now() >= deadline) {
      return {
        code: 'cancel-not-started',
        message: `bead ${beadId} did not start within ${options.budgets.startOfBead} ms (timeouts.drain)${submission ? `; its submission ended ${submission}` : ''}`,
      };
    }
    await sleep(options.pollMs ?? 50, options.signal);
  }
  return 'aborted';
}

function describeSubmit(res: ApiResponse) {
  const body = res.body as { beads?: { id?: string }[]; workflowId?: string } | null;
  const beadIds = (body?.beads ?? []).map((b) => b.id).filter((id): id is string => typeof id === 'string');
  return {
    ...describeStatus(res),
    ...(beadIds.length > 0 ? { beadIds } : {}),
    ...(typeof body?.workflowId === 'string' ? { workflowId: body.workflowId } : {}),
  };
}

function describeStatus(res: ApiResponse) {
  const code = errorCode(res);
  return { status: res.status, ...(code ? { code } : {}) };
}

const JSON_HEADERS = { 'content-type': 'application/json' };

/** The request each `invalid.send` stands for. Bead ids are prefixed `invalid-` so they never clash. */
export function invalidRequest(send: string): RawRequest {
  const post = (body: unknown): RawRequest => ({ method: 'POST', path: '/beads', body: JSON.stringify(body), headers: JSON_HEADERS });
  switch (send) {
    case 'cycle':
      return post({
        workflow: {
          id: 'invalid-cycle',
          beads: [
            { id: 'invalid-cycle.a', title: 'a', dependsOn: ['invalid-cycle.c'] },
            { id: 'invalid-cycle.b', title: 'b', dependsOn: ['invalid-cycle.a'] },
            { id: 'invalid-cycle.c', title: 'c', dependsOn: ['invalid-cycle.b'] },
          ],
        },
      });
    case 'unknown-dependency':
      return post({ id: 'invalid-unknown-dep', title: 'depends on nothing known', dependsOn: ['no-such-bead-anywhere'] });
    case 'missing-prompt':
      return post({ id: 'invalid-missing-prompt', input: {} });
    case 'bad-priority':
      return post({ id: 'invalid-bad-priority', title: 'priority out of range', priority: 9 });
    case 'unknown-field':
      return post({ id: 'invalid-unknown-field', title: 'has an unknown key', colour: 'blue' });
    case 'oversized-payload':
      // Over the API's default 1 MiB body limit.
      return post({ id: 'invalid-oversized', title: 'too big', input: { blob: 'x'.repeat(1_100_000) } });
    case 'malformed-json':
      return { method: 'POST', path: '/beads', body: '{"title": "cut off', headers: JSON_HEADERS };
    case 'cancel-unknown-bead':
      return { method: 'POST', path: '/beads/no-such-bead-anywhere/cancel', body: '{}', headers: JSON_HEADERS };
    default:
      throw new Error(`unknown invalid request "${send}"`);
  }
}
