import { describe, expect, it } from 'vitest';
import { actor } from './types.ts';
import { deferred, startUniverse, tick } from './test-helpers.ts';

type CounterMsg = { type: 'add'; by: number } | { type: 'get' } | { type: 'boom' } | { type: 'slow'; gate: Promise<void> };

/** A counter whose state lives in the behaviour object, so a restart resets it. */
const counter = () =>
  actor<CounterMsg, number>('counter', () => {
    let total = 0;
    return {
      async handle(msg) {
        if (msg.type === 'add') total += msg.by;
        if (msg.type === 'boom') throw new Error('boom');
        if (msg.type === 'slow') await msg.gate;
        return total;
      },
    };
  });

describe('mailbox', () => {
  it('handles messages one at a time, in order, and replies to ask with the handler result', async () => {
    const { universe } = await startUniverse();
    let active = 0;
    let maxActive = 0;
    const seen: number[] = [];
    const ref = await universe.startChild(
      'universe/workers',
      actor<number, number>('serial', () => ({
        async handle(n) {
          active++;
          maxActive = Math.max(maxActive, active);
          await tick(n % 3);
          seen.push(n);
          active--;
          return n * 2;
        },
      })),
    );
    for (let i = 0; i < 19; i++) ref.tell(i);
    const reply = await ref.ask(19);
    expect(reply).toBe(38);
    expect(seen).toEqual(Array.from({ length: 20 }, (_, i) => i));
    expect(maxActive).toBe(1);
  });

  it('rejects an ask with ORCH_ACTOR_ASK_TIMEOUT when no reply comes in time', async () => {
    const { universe } = await startUniverse();
    const ref = await universe.startChild('universe/workers', counter());
    const gate = deferred();
    const started = performance.now();
    await expect(ref.ask({ type: 'slow', gate: gate.promise }, { timeoutMs: 50 })).rejects.toMatchObject({ code: 'ORCH_ACTOR_ASK_TIMEOUT', retryable: true });
    expect(performance.now() - started).toBeGreaterThanOrEqual(45);
    gate.resolve();
    // The timed-out message was still handled; the actor carries on.
    await expect(ref.ask({ type: 'add', by: 1 })).resolves.toBe(1);
  });

  it('drops the message it crashed on (ask rejects ORCH_ACTOR_CRASHED) and the next incarnation handles the rest of the mailbox', async () => {
    const { universe, next } = await startUniverse();
    const ref = await universe.startChild('universe/workers', counter());
    await ref.ask({ type: 'add', by: 5 });
    const gate = deferred();
    const slow = ref.ask({ type: 'slow', gate: gate.promise });
    const crash = ref.ask({ type: 'boom' });
    const queuedBehind = [ref.ask({ type: 'add', by: 1 }), ref.ask({ type: 'add', by: 10 })];
    const restarted = next((e) => e.type === 'restarted' && e.path === 'universe/workers/counter');
    gate.resolve();
    await expect(slow).resolves.toBe(5);
    await expect(crash).rejects.toMatchObject({ code: 'ORCH_ACTOR_CRASHED' });
    await restarted;
    // State was reset by the restart (fresh behaviour), but the queued messages were not lost.
    await expect(Promise.all(queuedBehind)).resolves.toEqual([1, 11]);
  });

  it('queues messages sent while the actor is down and delivers them to the new incarnation', async () => {
    const { universe, next } = await startUniverse();
    const initGate = deferred();
    let incarnations = 0;
    const ref = await universe.startChild(
      'universe/workers',
      actor<string, string>('slow-start', () => ({
        async init(ctx) {
          incarnations++;
          if (ctx.incarnation > 1) await initGate.promise;
        },
        handle: (msg, ctx) => `${msg}@${ctx.incarnation}`,
      })),
    );
    expect(universe.kill('universe/workers/slow-start', 'test')).toBe(true);
    const during = [ref.ask('a'), ref.ask('b')];
    ref.tell('c');
    await tick(20);
    expect(universe.listActors().find((a) => a.path === 'universe/workers/slow-start')).toMatchObject({ status: 'starting', queued: 3 });
    const restarted = next((e) => e.type === 'restarted');
    initGate.resolve();
    await restarted;
    await expect(Promise.all(during)).resolves.toEqual(['a@2', 'b@2']);
    expect(incarnations).toBe(2);
  });

  it('aborts ctx.signal when the incarnation is killed mid-message', async () => {
    const { universe } = await startUniverse();
    let signal: AbortSignal | undefined;
    const ref = await universe.startChild(
      'universe/workers',
      actor<undefined, undefined>('waiter', () => ({
        handle: (_msg, ctx) => {
          signal = ctx.signal;
          return new Promise<undefined>(() => undefined); // never settles by itself
        },
      })),
    );
    const pending = ref.ask(undefined, { timeoutMs: 5_000 });
    await tick(10);
    universe.kill('universe/workers/waiter', 'chaos');
    await expect(pending).rejects.toMatchObject({ code: 'ORCH_ACTOR_CRASHED', cause: { code: 'ORCH_ACTOR_KILLED' } });
    expect(signal?.aborted).toBe(true);
  });

  it('rejects asks and dead-letters tells once the actor is stopped for good', async () => {
    const { universe, events } = await startUniverse();
    const ref = await universe.startChild('universe/workers', counter());
    await universe.stopChild('universe/workers/counter');
    await expect(ref.ask({ type: 'get' })).rejects.toMatchObject({ code: 'ORCH_ACTOR_STOPPED' });
    ref.tell({ type: 'add', by: 1 });
    expect(events.filter((e) => e.type === 'dead_letter')).toHaveLength(1);
    expect(() => universe.lookup('universe/workers/counter')).toThrow(expect.objectContaining({ code: 'ORCH_ACTOR_NOT_FOUND' }));
  });

  it('on close() the in-flight message finishes and the queued ones are rejected with ORCH_ACTOR_STOPPED', async () => {
    const { universe } = await startUniverse();
    const ref = await universe.startChild('universe/workers', counter());
    const gate = deferred();
    const inFlight = ref.ask({ type: 'slow', gate: gate.promise });
    const queued = ref.ask({ type: 'add', by: 1 });
    await tick(5);
    const closing = universe.close();
    await tick(5);
    gate.resolve();
    await closing;
    await expect(inFlight).resolves.toBe(0);
    await expect(queued).rejects.toMatchObject({ code: 'ORCH_ACTOR_STOPPED' });
  });

  it('a transient actor that calls stopSelf() exits normally and is not restarted', async () => {
    const { universe, next } = await startUniverse();
    const ref = await universe.startChild(
      'universe/workers',
      actor<string, string>(
        'job',
        () => ({
          handle: (msg, ctx) => {
            if (msg === 'done') ctx.stopSelf();
            return msg;
          },
        }),
        { restart: 'transient' },
      ),
    );
    const stopped = next((e) => e.type === 'stopped' && e.path === 'universe/workers/job');
    await expect(ref.ask('done')).resolves.toBe('done');
    await stopped;
    await tick(10);
    expect(universe.listActors().find((a) => a.path === 'universe/workers/job')).toMatchObject({ status: 'stopped', incarnation: 1 });
  });
});
