import { describe, expect, it } from 'vitest';
import { checkFaults, faultEnd, faultsSchema, FAULT_NAMES } from './faults.ts';
import { indexWorkload, workloadSchema } from './workload.ts';

const workload = indexWorkload(workloadSchema.parse([{ workflow: { name: 'build', beads: [{ id: 'code' }] } }]));
const check = (raw: unknown, ctx: Partial<Parameters<typeof checkFaults>[1]> = {}) =>
  checkFaults(faultsSchema.parse(raw), { totalMs: 60_000, admin: false, workload, ...ctx }).map((i) => `${i.path.join('.')}: ${i.message}`);

describe('faults', () => {
  it('covers every fault the harness knows', () => {
    expect(FAULT_NAMES).toEqual([
      'actors.kill',
      'db.outage',
      'db.latency',
      'db.reset',
      'db.kill',
      'db.diskFull',
      'db.partition',
      'db.pause',
      'agent.crash',
      'agent.partition',
      'orchestrator.kill',
      'orchestrator.restart',
    ]);
  });

  it('parses flat per-fault parameters with defaults', () => {
    expect(
      faultsSchema.parse([
        { at: '1s', do: 'db.latency', for: '2s', latency: '300ms' },
        { at: '2s', do: 'db.outage', for: '1s' },
        { at: '3s', do: 'agent.crash' },
        { at: '4s', do: 'actors.kill', for: '2s', every: '500ms' },
      ]),
    ).toEqual([
      { at: 1000, do: 'db.latency', for: 2000, latency: 300, jitter: 0 },
      { at: 2000, do: 'db.outage', for: 1000, mode: 'refuse' },
      { at: 3000, do: 'agent.crash', target: 'random', count: 1 },
      { at: 4000, do: 'actors.kill', for: 2000, every: 500, count: 1 },
    ]);
    expect(faultsSchema.parse(undefined)).toEqual([]);
  });

  it('requires a window on faults that last, and refuses parameters of other faults', () => {
    expect(faultsSchema.safeParse([{ at: '1s', do: 'db.outage' }]).error?.issues[0]?.path).toEqual([0, 'for']);
    expect(faultsSchema.safeParse([{ at: '1s', do: 'db.kill', latency: '1s' }]).error?.issues[0]?.code).toBe('unrecognized_keys');
    expect(faultsSchema.safeParse([{ at: '1s', do: 'db.outage', for: '1s', mode: 'drop' }]).success).toBe(false);
  });

  it('names the allowed faults when "do" is unknown', () => {
    const issue = faultsSchema.safeParse([{ at: '1s', do: 'db.nuke' }]).error?.issues[0];
    expect(issue?.path).toEqual([0, 'do']);
    expect(issue?.message).toMatch(/unknown fault "db\.nuke"; "do" must be one of actors\.kill, db\.outage/);
  });

  it('says "do" is missing rather than naming an unknown fault undefined', () => {
    const missing = faultsSchema.safeParse([{ at: '1s', target: 'db' }]).error?.issues[0];
    expect(missing?.path).toEqual([0, 'do']);
    expect(missing?.message).toMatch(/^"do" is missing: say which fault, one of actors\.kill, db\.outage/);
  });

  it('refuses a fault on a process while a kill or restart of it is still in effect', () => {
    const restart = check([
      { at: '3s', do: 'orchestrator.kill', for: '1500ms' },
      { at: '3500ms', do: 'orchestrator.restart' },
    ]);
    expect(restart).toEqual([
      'faults.1.at: orchestrator.restart at 3500ms acts on the orchestrator while faults[0] (orchestrator.kill at 3000ms) still has it down or restarting (until 7000ms: its window plus 2500 ms to come back); start it at 7000ms or later',
    ]);
    // A crash of a worker 1 s after the orchestrator came back: its workers may not exist yet.
    expect(
      check([
        { at: '1s', do: 'orchestrator.kill', for: '1s' },
        { at: '3s', do: 'agent.crash' },
      ]),
    ).toHaveLength(1);
    // Listed first at the same instant: the crash acts before the kill, so the kill is the one inside.
    expect(
      check([
        { at: '1s', do: 'agent.crash' },
        { at: '1s', do: 'db.kill' },
      ]),
    ).toEqual([]);
    expect(
      check([
        { at: '2s', do: 'db.kill', for: '1s' },
        { at: '2s', do: 'db.diskFull', for: '1s' },
      ])[0],
    ).toMatch(/^faults\.1\.at: db\.diskFull at 2000ms acts on the db while faults\[0\] \(db\.kill/);
    // Allowed: after the settle time, two crashes close together, and faults on other parts.
    expect(
      check([
        { at: '1s', do: 'orchestrator.kill', for: '1s' },
        { at: '4500ms', do: 'agent.crash' },
      ]),
    ).toEqual([]);
    expect(
      check([
        { at: '800ms', do: 'agent.crash' },
        { at: '1800ms', do: 'agent.crash' },
      ]),
    ).toEqual([]);
    expect(
      check([
        { at: '1s', do: 'orchestrator.kill', for: '2s' },
        { at: '1500ms', do: 'db.outage', for: '1s' },
      ]),
    ).toEqual([]);
  });

  it('refuses a fault that leaves less than timeouts.drain before the end (recovery and drain come after it)', () => {
    expect(check([{ at: '55s', do: 'db.reset', for: '4s' }], { drainMs: 30_000 })).toEqual([
      'faults.0.for: fault ends at 59000ms, but the recovery after its heal and the drain (timeouts.drain = 30000ms) come after it, inside timeouts.total = 60000ms: end it by 30000ms or raise timeouts.total to at least 89000ms',
    ]);
    expect(check([{ at: '30s', do: 'db.kill' }], { drainMs: 30_000 })).toEqual([]);
    expect(check([{ at: '31s', do: 'db.kill' }], { drainMs: 30_000 })[0]).toMatch(/^faults\.0\.at: fault ends at 31000ms, but/);
  });

  it('refuses faults that end after the run', () => {
    expect(check([{ at: '50s', do: 'db.outage', for: '20s' }])).toEqual([
      'faults.0.for: fault ends at 70000ms, after the end of the run (timeouts.total = 60000ms)',
    ]);
    expect(check([{ at: '2m', do: 'db.kill' }])[0]).toMatch(/^faults\.0\.at: /);
    expect(faultEnd(faultsSchema.parse([{ at: '1s', do: 'orchestrator.restart' }])[0]!)).toBe(1000);
  });

  it('checks targets against the workload and actors.kill against admin hooks', () => {
    expect(check([{ at: '1s', do: 'agent.crash', target: 'build.code' }])).toEqual([]);
    expect(check([{ at: '1s', do: 'agent.partition', for: '1s', target: 'deploy.code' }])).toEqual([
      'faults.0.target: unknown workflow "deploy"; did you mean "build.code"? (workflows: build)',
    ]);
    expect(faultsSchema.safeParse([{ at: '1s', do: 'agent.crash', target: 'Busiest' }]).success).toBe(false);
    expect(check([{ at: '1s', do: 'actors.kill' }])).toEqual(['faults.0.do: actors.kill uses the /admin hooks: set system.admin: true']);
    expect(check([{ at: '1s', do: 'actors.kill', every: '1s' }], { admin: true })).toEqual(['faults.0.every: every needs a `for` window to repeat in']);
  });

  it('lists the beads a target could name (the first 10, then a count) and suggests the closest, once per target', () => {
    const ids = ['fetch', 'compile', 'test', 'lint', 'package', 'sign', 'upload', 'notify', 'docs', 'bench', 'audit', 'release'];
    const big = indexWorkload(
      workloadSchema.parse([{ workflow: { name: 'build', beads: ids.map((id) => ({ id })) } }, { workflow: { name: 'ship', beads: [{ id: 'push' }] } }]),
    );
    const listed = '(beads: fetch, compile, test, lint, package, sign, upload, notify, docs, bench and 2 more)';
    const checkBig = (target: string, partition = false) =>
      check([partition ? { at: '1s', do: 'agent.partition', for: '1s', target } : { at: '1s', do: 'agent.crash', target }], { workload: big });
    expect(checkBig('build.compil')).toEqual([`faults.0.target: unknown bead "compil" in workflow "build"; did you mean "build.compile"? ${listed}`]);
    expect(checkBig('build.zzz', true)).toEqual([`faults.0.target: unknown bead "zzz" in workflow "build" ${listed}`]);
    expect(checkBig('biuld.test')).toEqual(['faults.0.target: unknown workflow "biuld"; did you mean "build.test"? (workflows: build, ship)']);
    // The right bead under the wrong workflow.
    expect(checkBig('deploy.push')).toEqual(['faults.0.target: unknown workflow "deploy"; did you mean "ship.push"? (workflows: build, ship)']);
    expect(checkBig('build.release')).toEqual([]);
  });

  it('needs at least one fault in a chaos scenario', () => {
    expect(check([], { kind: 'chaos' })).toEqual(['faults: a chaos scenario needs at least one fault']);
    expect(check([], { kind: 'load' })).toEqual([]);
  });
});
