import { describe, expect, it } from 'vitest';
import { UniverseSupervisor } from './universe.ts';
import { actor, supervisor } from './types.ts';
import { startUniverse, tick } from './test-helpers.ts';

const echo = (name: string) => actor<string, string>(name, () => ({ handle: (msg, ctx) => `${msg}@${ctx.incarnation}` }));

describe('UniverseSupervisor', () => {
  it('starts the default tier-1 supervisors and lists every node by path', async () => {
    const { universe } = await startUniverse();
    await universe.startChild('universe/workers', echo('pool'));
    expect(universe.listActors().map((a) => `${a.kind} ${a.path} ${a.status}`)).toEqual([
      'supervisor universe running',
      'supervisor universe/api running',
      'supervisor universe/scheduling running',
      'supervisor universe/storage running',
      'supervisor universe/workers running',
      'actor universe/workers/pool running',
    ]);
    await expect(universe.lookup<string, string>('universe/workers/pool').ask('hi')).resolves.toBe('hi@1');
  });

  it('finds nested actors by path and throws ORCH_ACTOR_NOT_FOUND for unknown paths', async () => {
    const { universe } = await startUniverse();
    await universe.startChild('universe/workers', supervisor('pool', { strategy: 'one_for_all', children: [echo('w1'), echo('w2')] }));
    await expect(universe.lookup<string, string>('universe/workers/pool/w2').ask('x')).resolves.toBe('x@1');
    expect(() => universe.lookup('universe/workers/pool/w3')).toThrow(expect.objectContaining({ code: 'ORCH_ACTOR_NOT_FOUND' }));
    expect(() => universe.kill('universe/nope')).toThrow(expect.objectContaining({ code: 'ORCH_ACTOR_NOT_FOUND' }));
    expect(() => universe.kill('universe')).toThrow(expect.objectContaining({ code: 'ORCH_ACTOR_SPEC_INVALID' }));
  });

  it('kill() of a supervisor restarts its whole subtree; refs stay valid and keep their mailboxes', async () => {
    const { universe, next } = await startUniverse();
    await universe.startChild('universe/workers', supervisor('pool', { children: [echo('w1'), echo('w2')] }));
    const w1 = universe.lookup<string, string>('universe/workers/pool/w1');
    const back = next((e) => e.type === 'restarted' && e.path === 'universe/workers/pool');
    const w1Down = next((e) => e.type === 'stopped' && e.path === 'universe/workers/pool/w1');
    expect(universe.kill('universe/workers/pool', 'chaos test')).toBe(true);
    await w1Down;
    const sentWhileDown = w1.ask('queued');
    await back;
    await expect(sentWhileDown).resolves.toBe('queued@2');
    const info = universe.listActors().filter((a) => a.path.startsWith('universe/workers/pool'));
    expect(info.map((a) => [a.path, a.incarnation, a.restarts])).toEqual([
      ['universe/workers/pool', 2, 1],
      ['universe/workers/pool/w1', 2, 1],
      ['universe/workers/pool/w2', 2, 1],
    ]);
  });

  it('emits crashed and restarted events a metrics hook can count; a throwing listener is harmless', async () => {
    const { universe, events } = await startUniverse();
    universe.on(() => {
      throw new Error('broken metrics hook');
    });
    const restarts = new Map<string, number>();
    const off = universe.on((e) => e.type === 'restarted' && restarts.set(e.path, (restarts.get(e.path) ?? 0) + 1));
    await universe.startChild('universe/workers', echo('a'));
    for (let i = 0; i < 3; i++) {
      universe.kill('universe/workers/a', `round ${i}`);
      await tick(10);
    }
    off();
    expect(restarts.get('universe/workers/a')).toBe(3);
    const crashed = events.filter((e) => e.type === 'crashed');
    expect(crashed).toHaveLength(3);
    expect(crashed[0]).toMatchObject({ path: 'universe/workers/a', error: { code: 'ORCH_ACTOR_KILLED', details: { reason: 'round 0' } } });
  });

  it('killRandom() is reproducible for a given random source and only picks running actors', async () => {
    const pick = async (seed: number): Promise<string | undefined> => {
      const { universe } = await startUniverse();
      for (const name of ['a', 'b', 'c', 'd']) await universe.startChild('universe/workers', echo(name));
      await universe.startChild('universe/api', echo('http'));
      let s = seed;
      const random = () => ((s = (s * 16807) % 2147483647) - 1) / 2147483646;
      return universe.killRandom(random, { under: 'universe/workers' });
    };
    const first = await pick(42);
    expect(first).toMatch(/^universe\/workers\/[abcd]$/);
    expect(await pick(42)).toBe(first);
    const { universe } = await startUniverse();
    expect(universe.killRandom(Math.random)).toBeUndefined();
  });

  it('destroy() rejects every pending ask at once with ORCH_ACTOR_STOPPED', async () => {
    const universe = await UniverseSupervisor.start();
    const ref = await universe.startChild(
      'universe/workers',
      actor<number, undefined>('hang', () => ({ handle: () => new Promise<undefined>(() => undefined) })),
    );
    const asks = [ref.ask(1, { timeoutMs: 10_000 }), ref.ask(2, { timeoutMs: 10_000 })];
    await tick(5);
    universe.destroy('test teardown');
    const results = await Promise.allSettled(asks);
    expect(results.map((r) => r.status === 'rejected' && (r.reason as { code: string }).code)).toEqual(['ORCH_ACTOR_STOPPED', 'ORCH_ACTOR_STOPPED']);
    expect(universe.listActors().every((a) => a.status === 'stopped')).toBe(true);
    await universe.close(); // after destroy: resolves, does nothing
  });
});
