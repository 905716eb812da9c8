import { describe, expect, it } from 'vitest';
import { actor, supervisor, type ActorSpec, type Strategy } from './types.ts';
import { ManualClock, startUniverse, tick } from './test-helpers.ts';

type Log = string[];

/** An actor that logs its lifecycle into `log` and crashes on 'crash'. */
function logged(name: string, log: Log, options: Partial<ActorSpec> = {}): ActorSpec<string, string> {
  return {
    ...actor<string, string>(name, () => ({
      init: (ctx) => void log.push(`start ${name}#${ctx.incarnation}`),
      handle: (msg) => {
        if (msg === 'crash') throw new Error(`${name} crashed`);
        return `${name}:${msg}`;
      },
      stop: (reason) => void log.push(`stop ${name} ${reason.kind}`),
    })),
    ...options,
  } as ActorSpec<string, string>;
}

async function crashAndSettle(universe: Awaited<ReturnType<typeof startUniverse>>['universe'], path: string): Promise<void> {
  await universe
    .lookup<string, string>(path)
    .ask('crash')
    .catch(() => undefined);
  await tick(30);
}

describe('supervisor', () => {
  it('starts children in order and stops them in reverse order', async () => {
    const log: Log = [];
    const { universe } = await startUniverse({
      tiers: [supervisor('workers', { children: [logged('a', log), logged('b', log), logged('c', log)] })],
    });
    expect(log).toEqual(['start a#1', 'start b#1', 'start c#1']);
    await universe.close();
    expect(log.slice(3)).toEqual(['stop c normal', 'stop b normal', 'stop a normal']);
    await universe.close(); // idempotent
  });

  const cases: [Strategy, string[]][] = [
    ['one_for_one', ['start b#2']],
    ['one_for_all', ['stop c normal', 'stop a normal', 'start a#2', 'start b#2', 'start c#2']],
    ['rest_for_one', ['stop c normal', 'start b#2', 'start c#2']],
  ];
  for (const [strategy, expected] of cases) {
    it(`${strategy}: a crash of b restarts ${expected.filter((l) => l.startsWith('start')).length} child(ren)`, async () => {
      const log: Log = [];
      const { universe } = await startUniverse({
        tiers: [supervisor('workers', { strategy, children: [logged('a', log), logged('b', log), logged('c', log)] })],
      });
      log.length = 0;
      await crashAndSettle(universe, 'universe/workers/b');
      // b's own stop hook runs with the crash reason first.
      expect(log).toEqual(['stop b crash', ...expected]);
    });
  }

  it('honours restart types: permanent always, transient after a crash only, temporary never', async () => {
    const log: Log = [];
    const { universe } = await startUniverse({
      tiers: [
        supervisor('workers', {
          children: [logged('perm', log), logged('trans', log, { restart: 'transient' }), logged('temp', log, { restart: 'temporary' })],
        }),
      ],
    });
    await crashAndSettle(universe, 'universe/workers/perm');
    await crashAndSettle(universe, 'universe/workers/trans');
    await crashAndSettle(universe, 'universe/workers/temp');
    const byPath = new Map(universe.listActors().map((a) => [a.path, a]));
    expect(byPath.get('universe/workers/perm')).toMatchObject({ status: 'running', incarnation: 2, restarts: 1 });
    expect(byPath.get('universe/workers/trans')).toMatchObject({ status: 'running', incarnation: 2 });
    expect(byPath.has('universe/workers/temp')).toBe(false); // temporary children are forgotten
  });

  it('gives up after more than maxRestarts within periodMs, stops its children and escalates to its parent', async () => {
    const clock = new ManualClock();
    const log: Log = [];
    const { universe, events, next } = await startUniverse({
      clock,
      intensity: { maxRestarts: 5, periodMs: 1_000 },
      tiers: [
        supervisor('workers', {
          intensity: { maxRestarts: 2, periodMs: 1_000 },
          children: [logged('a', log), logged('flaky', log)],
        }),
        supervisor('api', { children: [logged('http', log)] }),
      ],
    });
    // Two crashes inside the window: both restarted.
    await crashAndSettle(universe, 'universe/workers/flaky');
    clock.advance(400);
    await crashAndSettle(universe, 'universe/workers/flaky');
    expect(events.filter((e) => e.type === 'restarted' && e.path === 'universe/workers/flaky')).toHaveLength(2);
    // Outside the window the oldest restart no longer counts.
    clock.advance(700);
    await crashAndSettle(universe, 'universe/workers/flaky');
    expect(events.some((e) => e.type === 'escalated')).toBe(false);
    // A third crash within 1000 ms of the previous two: give up and escalate.
    clock.advance(100);
    const escalated = next((e) => e.type === 'escalated');
    const workersBack = next((e) => e.type === 'restarted' && e.path === 'universe/workers');
    log.length = 0;
    await universe
      .lookup<string, string>('universe/workers/flaky')
      .ask('crash')
      .catch(() => undefined);
    expect(await escalated).toMatchObject({ path: 'universe/workers', error: { code: 'ORCH_SUPERVISOR_INTENSITY' } });
    // The root (one_for_one) restarts the workers tier with fresh children; api is untouched.
    await workersBack;
    expect(log).toEqual(['stop flaky crash', 'stop a normal', 'start a#2', 'start flaky#5']);
    expect(universe.listActors().find((a) => a.path === 'universe/api/http')).toMatchObject({ incarnation: 1, status: 'running' });
  });

  it('the root giving up stops everything and calls onGiveUp', async () => {
    const clock = new ManualClock();
    let gaveUp: unknown;
    const { universe } = await startUniverse({
      clock,
      onGiveUp: (err) => (gaveUp = err),
      intensity: { maxRestarts: 0, periodMs: 1_000 },
      tiers: [supervisor('workers', { intensity: { maxRestarts: 0, periodMs: 1_000 }, children: [logged('a', [])] })],
    });
    const ref = universe.lookup<string, string>('universe/workers/a');
    await ref.ask('crash').catch(() => undefined);
    await tick(50);
    expect(gaveUp).toMatchObject({ code: 'ORCH_SUPERVISOR_INTENSITY', details: { path: 'universe' } });
    expect(universe.status).toBe('down');
    await expect(ref.ask('x')).rejects.toMatchObject({ code: 'ORCH_ACTOR_STOPPED' });
  });

  it('cuts off a child that exceeds its shutdown timeout and rejects its in-flight ask', async () => {
    const { universe } = await startUniverse();
    const ref = await universe.startChild(
      'universe/workers',
      actor<undefined, undefined>('stuck', () => ({ handle: () => new Promise<undefined>(() => undefined) }), { shutdown: 100 }),
    );
    const inFlight = ref.ask(undefined, { timeoutMs: 10_000 });
    await tick(5);
    const started = performance.now();
    await universe.close();
    const took = performance.now() - started;
    expect(took).toBeGreaterThanOrEqual(90);
    expect(took).toBeLessThan(2_000);
    await expect(inFlight).rejects.toMatchObject({ code: 'ORCH_ACTOR_STOPPED', details: { reason: 'shutdown timeout' } });
  });

  it('retries a restart whose init fails, counting it against the intensity', async () => {
    let inits = 0;
    const { universe, next } = await startUniverse({
      intensity: { maxRestarts: 10, periodMs: 60_000 },
      tiers: [
        supervisor('workers', {
          intensity: { maxRestarts: 3, periodMs: 60_000 },
          children: [
            actor<string, number>('bad-init', () => ({
              init: (ctx) => {
                inits++;
                if (ctx.incarnation > 1) throw new Error('cannot open resource');
              },
              handle: () => inits,
            })),
          ],
        }),
      ],
    });
    const escalated = next((e) => e.type === 'escalated' && e.path === 'universe/workers');
    universe.kill('universe/workers/bad-init');
    await escalated;
    expect(inits).toBe(4); // first start + 3 failed restarts
  });

  it('restarts a child that crashed while a later sibling was still starting', async () => {
    let releaseSlow!: () => void;
    const slowGate = new Promise<void>((r) => (releaseSlow = r));
    const { universe, next } = await startUniverse({ tiers: [supervisor('workers')] });
    const starting = universe.startChild(
      'universe/workers',
      supervisor('group', {
        children: [
          actor<undefined, undefined>('early', () => ({
            init: (ctx) => {
              if (ctx.incarnation === 1) queueMicrotask(() => ctx.self.tell(undefined));
            },
            handle: () => {
              throw new Error('crash during sibling start');
            },
          })),
          actor<undefined, undefined>('slow', () => ({ init: () => slowGate, handle: () => undefined })),
        ],
      }),
    );
    await tick(20);
    expect(universe.listActors().find((a) => a.path === 'universe/workers/group/early')?.status).toBe('down');
    const restarted = next((e) => e.type === 'restarted' && e.path === 'universe/workers/group/early');
    releaseSlow();
    await starting;
    await restarted;
    expect(universe.listActors().find((a) => a.path === 'universe/workers/group/early')).toMatchObject({ status: 'running', incarnation: 2 });
  });

  it('rejects a duplicate child name with ORCH_ACTOR_SPEC_INVALID and a failing init with ORCH_ACTOR_START_FAILED', async () => {
    const { universe } = await startUniverse();
    await universe.startChild('universe/workers', logged('a', []));
    await expect(universe.startChild('universe/workers', logged('a', []))).rejects.toMatchObject({ code: 'ORCH_ACTOR_SPEC_INVALID' });
    const failing = actor<undefined, undefined>('fails', () => ({
      init: () => {
        throw new Error('no');
      },
      handle: () => undefined,
    }));
    await expect(universe.startChild('universe/workers', failing)).rejects.toMatchObject({ code: 'ORCH_ACTOR_START_FAILED' });
    expect(universe.listActors().some((a) => a.path === 'universe/workers/fails')).toBe(false);
  });
});
