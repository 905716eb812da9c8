/**
 * LogProjection: what a start-up snapshot keeps (live beads, open workflows, keys only a key can
 * find) and drops (finished beads), also for logs written before `assignedIds` existed.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { EventRecord } from '../events/index.ts';
import { LogProjection, loadSnapshot } from './snapshot.ts';

let position = 0;
const ev = (stream: string, type: string, data: Record<string, unknown> = {}, key = `${stream}:${type}:${position + 1}`): EventRecord =>
  ({ stream, seq: 1, position: ++position, type, data, idempotencyKey: key, at: new Date(position).toISOString() }) as EventRecord;

describe('LogProjection', () => {
  it('keeps a standalone bead until its outcome, then drops it; ignores late events of a dropped bead', () => {
    const p = new LogProjection();
    p.apply(ev('bead:a', 'BeadSubmitted', { beadId: 'a', idempotencyKey: 'bead:a', fingerprint: 'f', assignedIds: false }));
    p.apply(ev('bead:a', 'BeadStarted', { attempt: 1 }));
    expect(p.beads.get('a')?.map((e) => e.type)).toEqual(['BeadSubmitted', 'BeadStarted']);
    p.apply(ev('bead:a', 'BeadSucceeded', { attempt: 1 }));
    expect(p.beads.has('a')).toBe(false);
    p.apply(ev('bead:a', 'BeadQueued', {}));
    expect(p.beads.has('a')).toBe(false);
    expect(p.keys.size).toBe(0); // a client-given id finds the bead again: no key kept
    expect(p.position).toBe(position);
  });

  it("keeps a workflow's beads until the workflow's outcome, and the key of a submit with assigned ids", () => {
    const p = new LogProjection();
    p.apply(ev('workflow:w', 'WorkflowSubmitted', { workflowId: 'w', beadIds: ['w1', 'w2'], idempotencyKey: 'key:k', fingerprint: 'f', assignedIds: true }));
    for (const id of ['w1', 'w2']) {
      p.apply(ev(`bead:${id}`, 'BeadSubmitted', { beadId: id, workflowId: 'w', idempotencyKey: 'key:k', fingerprint: 'f', assignedIds: true }));
      p.apply(ev(`bead:${id}`, 'BeadSucceeded', { attempt: 1 }));
    }
    expect([...p.beads.keys()]).toEqual(['w1', 'w2']);
    p.apply(ev('workflow:w', 'WorkflowSucceeded'));
    expect(p.beads.size + p.workflows.size).toBe(0);
    expect(p.keys.get('key:k')).toEqual({ fingerprint: 'f', beadIds: ['w1', 'w2'], workflowId: 'w' });
  });

  it('reads an old-shape log (no assignedIds): keeps the key, since nothing says the ids can find it', () => {
    const p = new LogProjection();
    p.apply(ev('bead:o', 'BeadSubmitted', { beadId: 'o', idempotencyKey: 'key:old', fingerprint: 'f' }));
    p.apply(ev('bead:o', 'BeadQueued', {}));
    p.apply(ev('bead:o', 'BeadSucceeded', { attempt: 1 }));
    expect(p.keys.get('key:old')).toEqual({ fingerprint: 'f', beadIds: ['o'] });
  });

  it('says when it dropped a finished unit (recovery: the log then holds beads memory does not), also across JSON', () => {
    const p = new LogProjection();
    p.apply(ev('bead:d', 'BeadSubmitted', { beadId: 'd' }));
    p.apply(ev('workflow:v', 'WorkflowSubmitted', { workflowId: 'v', beadIds: ['v1'] }));
    p.apply(ev('bead:v1', 'BeadSubmitted', { beadId: 'v1', workflowId: 'v' }));
    p.apply(ev('bead:v1', 'BeadFailed', { attempt: 1 }));
    expect(p.dropped).toBe(false); // a workflow bead waits for its workflow's outcome
    const roundTrip = (q: LogProjection) => LogProjection.fromJSON(JSON.parse(JSON.stringify(q)) as Parameters<typeof LogProjection.fromJSON>[0]);
    expect(roundTrip(p).dropped).toBe(false);
    p.apply(ev('workflow:v', 'WorkflowFailed'));
    expect(p.dropped).toBe(true);
    const q = new LogProjection();
    q.apply(ev('bead:e', 'BeadSubmitted', { beadId: 'e' }));
    q.apply(ev('bead:e', 'BeadCancelled', {}));
    expect(roundTrip(q).dropped).toBe(true);
    // A file written before the field existed may have dropped anything.
    const { dropped: _dropped, ...old } = JSON.parse(JSON.stringify(new LogProjection())) as Parameters<typeof LogProjection.fromJSON>[0];
    expect(LogProjection.fromJSON(old).dropped).toBe(true);
  });

  it('round-trips through JSON and skips events at or below its position', () => {
    const p = new LogProjection();
    const submitted = ev('bead:r', 'BeadSubmitted', { beadId: 'r' });
    p.apply(submitted);
    const copy = LogProjection.fromJSON(JSON.parse(JSON.stringify(p)) as Parameters<typeof LogProjection.fromJSON>[0]);
    expect(copy.position).toBe(p.position);
    expect(copy.keyAtPosition).toBe(submitted.idempotencyKey);
    copy.apply(submitted);
    expect(copy.beads.get('r')).toHaveLength(1);
  });
});

describe('loadSnapshot', () => {
  it('reads any unusable file (null, a number, a foreign or truncated object) as "no snapshot", never throws', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'oya-snapshot-test-'));
    const warnings: string[] = [];
    const log = { warn: (_: unknown, message: string) => warnings.push(message) } as unknown as Parameters<typeof loadSnapshot>[2];
    // Never read: a file that is not a snapshot must be refused before the log is consulted.
    const store = { readAll: () => Promise.reject(new Error('the log was read')) } as unknown as Parameters<typeof loadSnapshot>[1];
    try {
      for (const text of [
        'null',
        '42',
        '"x"',
        '[]',
        '{"format":"something-else","position":3}',
        JSON.stringify({ format: new LogProjection().toJSON().format, position: 1 }),
      ]) {
        const path = join(dir, 'snapshot.json');
        await writeFile(path, text);
        const projection = await loadSnapshot(path, store, log);
        expect(projection.toJSON().position, text).toBe(0);
      }
      expect(warnings).toHaveLength(6);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
