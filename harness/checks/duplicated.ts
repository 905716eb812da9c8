/**
 * duplicated — work that happened twice.
 *
 * - `double-terminal`: a bead's stream holds more than one terminal event (two BeadSucceeded, or
 *   BeadSucceeded then BeadFailed): the bead was finished twice.
 * - `double-creation`: a bead's stream holds more than one creation event.
 * - `two-beads-one-key`: two different beads (outside any workflow) were created for one
 *   idempotency key — a retried submission was not deduplicated.
 * - `two-workflows-one-key`: the same for workflows (the beads of ONE workflow legitimately share
 *   their submission's key).
 * Both are found from the beads' keys, and also from the history alone: acknowledged retries of
 * one key answered with different bead ids / workflow ids.
 * - `two-outcomes-one-attempt`: one attempt ended twice (BeadSucceeded, BeadFailed,
 *   BeadRetryScheduled, BeadWorkerLost, BeadInterrupted with the same `attempt`);
 * - `attempt-started-twice`: two BeadStarted with the same `attempt`;
 * - `retry-refused`: a submission retried with a key already acknowledged was answered non-2xx
 *   (e.g. a server that forgot its keys at a restart answering 409): the retry of an
 *   acknowledged request must get the original answer. A 409 ORCH_API_IDEMPOTENCY_MISMATCH (the
 *   client sent another body under the key) is the client's fault and not counted — unless both
 *   sends carry the same `bodyDigest`: then the body did not change and the server forgot the key.
 */
import type { Operation } from '../history/types.ts';
import { creationEvent, prepare } from './prepare.ts';
import type { CheckEvent, CheckInput, CheckResult, Violation } from './types.ts';
import { workflowOf } from './prepare.ts';

/** Finds beads finished or created twice, and idempotency keys that created two beads/workflows. */
export function checkDuplicated(input: CheckInput): CheckResult {
  const p = prepare(input);
  const violations: Violation[] = [];
  for (const [beadId, events] of p.beadEvents) {
    const terminal = events.filter((e) => p.vocab.terminalEventTypes.includes(e.type));
    if (terminal.length > 1) {
      violations.push({
        kind: 'double-terminal',
        beadId,
        message: `bead ${beadId} has ${terminal.length} terminal events: ${terminal.map((e) => `${e.type}@${e.seq}`).join(', ')}`,
        witness: { events: terminal },
      });
    }
    const created = events.filter((e) => p.vocab.creationEventTypes.includes(e.type));
    if (created.length > 1) {
      violations.push({
        kind: 'double-creation',
        beadId,
        message: `bead ${beadId} was created ${created.length} times (seqs ${created.map((e) => e.seq).join(', ')})`,
        witness: { events: created },
      });
    }
  }

  violations.push(...attemptDoubles(p));
  const reportedKeys = new Set<string>();
  for (const [key, beadIds] of p.beadsByKey) {
    if (beadIds.length < 2) continue;
    reportedKeys.add(key);
    const standalone = beadIds.filter((id) => workflowOf(p, id) === undefined);
    const workflows = [...new Set(beadIds.map((id) => workflowOf(p, id)).filter((w) => w !== undefined))];
    if (standalone.length > 1) {
      violations.push({
        kind: 'two-beads-one-key',
        beadId: standalone[0],
        message: `idempotency key '${key}' created ${standalone.length} beads: ${standalone.join(', ')}`,
        witness: { beadIds: standalone, ...creations(p, standalone) },
      });
    }
    if (workflows.length > 1) {
      // One bead per workflow is enough to show two workflows exist for the key.
      const sample = workflows.map((w) => beadIds.find((id) => workflowOf(p, id) === w) as string);
      violations.push({
        kind: 'two-workflows-one-key',
        beadId: sample[0],
        message: `idempotency key '${key}' created ${workflows.length} workflows: ${workflows.join(', ')}`,
        witness: { beadIds: sample, ...creations(p, sample) },
      });
    }
  }

  violations.push(...conflictingAnswers(p, reportedKeys), ...refusedRetries(p));

  const beadsWithDuplicates = new Set(violations.map((v) => v.beadId));
  return {
    name: 'duplicated',
    valid: violations.length === 0,
    violations,
    counts: {
      duplicated: violations.length,
      beadsAffected: beadsWithDuplicates.size,
      doubleTerminal: violations.filter((v) => v.kind === 'double-terminal').length,
    },
  };
}

/**
 * Acknowledged retries of one key that were answered with different beads (or workflows): the
 * history alone shows the duplicate, even when the beads do not carry their key.
 */
function conflictingAnswers(p: ReturnType<typeof prepare>, alreadyReported: ReadonlySet<string>): Violation[] {
  const answersByKey = new Map<string, Map<string, Operation>>();
  for (const op of p.submits) {
    if (op.outcome !== 'ok' || op.idempotencyKey === undefined || alreadyReported.has(op.idempotencyKey)) continue;
    const answer = op.workflowId !== undefined ? `workflow:${op.workflowId}` : [...op.beadIds].sort().join(',');
    if (answer === '') continue;
    let answers = answersByKey.get(op.idempotencyKey);
    if (answers === undefined) answersByKey.set(op.idempotencyKey, (answers = new Map<string, Operation>()));
    if (!answers.has(answer)) answers.set(answer, op);
  }
  const violations: Violation[] = [];
  for (const [key, answers] of answersByKey) {
    if (answers.size < 2) continue;
    const ops = [...answers.values()];
    const isWorkflow = ops.every((op) => op.workflowId !== undefined);
    violations.push({
      kind: isWorkflow ? 'two-workflows-one-key' : 'two-beads-one-key',
      beadId: ops[1]?.beadIds[0],
      message: `idempotency key '${key}' was acknowledged with ${answers.size} different answers: ${[...answers.keys()].join(' / ')}`,
      witness: { ops },
    });
  }
  return violations;
}

function creations(p: ReturnType<typeof prepare>, beadIds: string[]): { events?: CheckEvent[] } {
  const events = beadIds.map((id) => creationEvent(p, id)).filter((e): e is CheckEvent => e !== undefined);
  return events.length === 0 ? {} : { events };
}

/** Event types that end one attempt; each attempt may have one. */
const ATTEMPT_ENDS = new Set(['BeadSucceeded', 'BeadFailed', 'BeadRetryScheduled', 'BeadWorkerLost', 'BeadInterrupted']);

function attemptDoubles(p: ReturnType<typeof prepare>): Violation[] {
  const out: Violation[] = [];
  for (const [beadId, events] of p.beadEvents) {
    const ends = new Map<number, CheckEvent>();
    const starts = new Map<number, CheckEvent>();
    for (const event of events) {
      const attempt = (event.data as { attempt?: unknown } | undefined)?.attempt;
      // attempt 0 = a bead failed without running (blocked by a dependency): not an attempt's end.
      if (typeof attempt !== 'number' || attempt < 1) continue;
      const seen = event.type === 'BeadStarted' ? starts : ATTEMPT_ENDS.has(event.type) ? ends : undefined;
      if (seen === undefined) continue;
      const first = seen.get(attempt);
      if (first === undefined) {
        seen.set(attempt, event);
        continue;
      }
      out.push({
        kind: seen === starts ? 'attempt-started-twice' : 'two-outcomes-one-attempt',
        beadId,
        message: `bead ${beadId}: attempt ${attempt} ${seen === starts ? 'started' : 'ended'} twice (${first.type}@${first.seq}, ${event.type}@${event.seq})`,
        witness: { events: [first, event] },
      });
    }
  }
  return out;
}

/** Submissions whose key an earlier submission had acknowledged, answered with a definite failure. */
function refusedRetries(p: ReturnType<typeof prepare>): Violation[] {
  const acknowledged = new Map<string, Operation>();
  const out: Violation[] = [];
  for (const op of [...p.submits].sort((a, b) => a.invokedAt - b.invokedAt)) {
    if (op.idempotencyKey === undefined) continue;
    const first = acknowledged.get(op.idempotencyKey);
    if (op.outcome === 'ok' && first === undefined) acknowledged.set(op.idempotencyKey, op);
    if (first === undefined || op.outcome !== 'fail') continue;
    // No answer at all (connection refused while the orchestrator was down): the server never saw
    // the retry, so it says nothing about the server's keys. Found by `oya explore` (a duplicate
    // re-sent during an orchestrator.kill was read as a refused retry, with or without a defect).
    if (op.status === undefined) continue;
    // "Key reused for another body" is the client's fault — unless the client provably sent the same body.
    if (op.code === 'ORCH_API_IDEMPOTENCY_MISMATCH' && (op.bodyDigest === undefined || op.bodyDigest !== first.bodyDigest)) continue;
    // Only a retry sent after the acknowledgement arrived can be expected to get it back.
    if (first.completedAt === undefined || op.invokedAt < first.completedAt) continue;
    out.push({
      kind: 'retry-refused',
      beadId: first.beadIds[0],
      message:
        `idempotency key '${op.idempotencyKey}' was acknowledged by op ${first.opId}, but its retry op ${op.opId} was answered ${op.status ?? '?'} ${op.code ?? ''}`.trimEnd(),
      witness: { ops: [first, op] },
    });
  }
  return out;
}
