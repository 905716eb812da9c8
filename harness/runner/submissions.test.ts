import { describe, expect, it } from 'vitest';
import { History } from '../history/index.ts';
import { summariseSubmissions } from './submissions.ts';

describe('summariseSubmissions', () => {
  it('counts beads once whatever their attempts: ok wins, then unknown, then fail', () => {
    const h = new History();
    const submit = (id: string) => h.invoke({ kind: 'submit', beadIds: [id], idempotencyKey: `submit:${id}` });
    submit('a').fail({ code: 'ECONNREFUSED' });
    submit('a').unknown({ status: 503 });
    submit('a').ok({ status: 201 });
    submit('b').unknown({ code: 'UND_ERR_SOCKET' });
    submit('b').fail({ code: 'ECONNREFUSED' });
    submit('c').fail({ status: 503 });
    submit('d');
    h.invoke({ kind: 'cancel', beadIds: ['a'] }).ok({ status: 200 });
    const summary = summariseSubmissions(h.entries(), {
      a: { status: 'succeeded' },
      e: { status: 'failed' },
      f: { status: 'failed' },
      g: { status: 'cancelled' },
    });
    // `failed` is c's submission (refused every time); e and f are beads that ran and failed.
    expect(summary).toEqual({ submitted: 4, acknowledged: 1, failed: 1, unknown: 2, completed: 1, endedFailed: 2, endedCancelled: 1, attempts: 7 });
  });
});
