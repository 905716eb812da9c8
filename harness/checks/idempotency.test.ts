/**
 * duplicated must be able to fail on what the unique indexes cannot hide: two outcomes for one
 * attempt, a started attempt started again, a retried submission that created a second bead or
 * was refused because the server forgot its key.
 */
import { describe, expect, it } from 'vitest';
import { History } from '../history/history.ts';
import { checkDuplicated } from './duplicated.ts';
import { buildWorld } from './world.test-helper.ts';

const kinds = (r: ReturnType<typeof checkDuplicated>) => r.violations.map((v) => [v.kind, v.beadId]);

describe('duplicated: attempts and retries', () => {
  it('reports one attempt ended twice and one attempt started twice', () => {
    const world = buildWorld([{ id: 'a', status: 'succeeded', steps: 1, submit: 'ok' }]);
    const last = world.events.length;
    world.events.splice(
      3,
      0,
      { stream: 'bead:a', seq: 90, type: 'BeadWorkerLost', data: { attempt: 1, workerId: 'w1', reason: 'x' }, cursor: last + 1 },
      { stream: 'bead:a', seq: 91, type: 'BeadStarted', data: { attempt: 1, workerId: 'w2', fromStep: 0 }, cursor: last + 2 },
    );
    const result = checkDuplicated(world.input());
    expect(kinds(result)).toEqual([
      ['two-outcomes-one-attempt', 'a'],
      ['attempt-started-twice', 'a'],
    ]);
    expect(result.violations[0]?.message).toBe('bead a: attempt 1 ended twice (BeadSucceeded@5, BeadWorkerLost@90)');
  });

  it('does not count blocked beads (attempt 0) or a clean retry', () => {
    const world = buildWorld([{ id: 'a', status: 'succeeded', steps: 1, submit: 'retried' }]);
    expect(checkDuplicated(world.input()).valid).toBe(true);
  });

  it('a retry of an acknowledged key answered 409 (forget-keys-on-restart) is a violation; a body mismatch is not', () => {
    let now = 0;
    const history = new History({ clock: () => (now += 1) });
    history.invoke({ kind: 'submit', idempotencyKey: 'bead:a', beadIds: ['a'] }).ok({ status: 201, beadIds: ['a'] });
    history.invoke({ kind: 'submit', idempotencyKey: 'bead:a', beadIds: ['a'] }).fail({ status: 409, code: 'ORCH_BEAD_EXISTS' });
    history.invoke({ kind: 'submit', idempotencyKey: 'bead:a', beadIds: ['a'] }).fail({ status: 409, code: 'ORCH_API_IDEMPOTENCY_MISMATCH' });
    const result = checkDuplicated({ history, finalBeads: { a: { status: 'succeeded', idempotencyKey: 'bead:a' } } });
    expect(result.violations.map((v) => [v.kind, v.message])).toEqual([
      ['retry-refused', "idempotency key 'bead:a' was acknowledged by op 0, but its retry op 1 was answered 409 ORCH_BEAD_EXISTS"],
    ]);
    expect(result.violations[0]?.witness.ops?.map((o) => o.opId)).toEqual([0, 1]);
  });

  it('a retry that never reached the server (connection refused while it was down) says nothing about its keys', () => {
    let now = 0;
    const history = new History({ clock: () => (now += 1) });
    history.invoke({ kind: 'submit', idempotencyKey: 'submit:a', beadIds: ['a'], bodyDigest: 'd1' }).ok({ status: 201, beadIds: ['a'] });
    history.invoke({ kind: 'submit', idempotencyKey: 'submit:a', beadIds: ['a'], bodyDigest: 'd1' }).fail({ code: 'ECONNREFUSED' });
    expect(checkDuplicated({ history, finalBeads: { a: { status: 'succeeded', idempotencyKey: 'submit:a' } } }).valid).toBe(true);
  });

  it('a 409 key-mismatch to a retry with the same body digest is the server forgetting the key; another digest is the client', () => {
    let now = 0;
    const history = new History({ clock: () => (now += 1) });
    history.invoke({ kind: 'submit', idempotencyKey: 'submit:a', beadIds: ['a'], bodyDigest: 'd1' }).ok({ status: 201, beadIds: ['a'] });
    history
      .invoke({ kind: 'submit', idempotencyKey: 'submit:a', beadIds: ['a'], bodyDigest: 'd1' })
      .fail({ status: 409, code: 'ORCH_API_IDEMPOTENCY_MISMATCH' });
    history
      .invoke({ kind: 'submit', idempotencyKey: 'submit:a', beadIds: ['a'], bodyDigest: 'd2' })
      .fail({ status: 409, code: 'ORCH_API_IDEMPOTENCY_MISMATCH' });
    const result = checkDuplicated({ history, finalBeads: { a: { status: 'succeeded', idempotencyKey: 'submit:a' } } });
    expect(result.violations.map((v) => [v.kind, v.witness.ops?.map((o) => o.opId)])).toEqual([['retry-refused', [0, 1]]]);
  });

  it('a retry that created a second bead under the same key is caught from the beads and from the answers', () => {
    let now = 0;
    const history = new History({ clock: () => (now += 1) });
    history.invoke({ kind: 'submit', idempotencyKey: 'k' }).ok({ status: 201, beadIds: ['s1'] });
    history.invoke({ kind: 'submit', idempotencyKey: 'k' }).ok({ status: 201, beadIds: ['s2'] });
    expect(kinds(checkDuplicated({ history, finalBeads: {} }))).toEqual([['two-beads-one-key', 's2']]);
    const finalBeads = { s1: { status: 'succeeded', idempotencyKey: 'k' }, s2: { status: 'succeeded', idempotencyKey: 'k' } };
    expect(kinds(checkDuplicated({ history, finalBeads }))).toEqual([['two-beads-one-key', 's1']]);
  });
});
