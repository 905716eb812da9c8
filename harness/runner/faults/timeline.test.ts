/**
 * The timeline executes the plan it is given (plan.ts), records every act and heal, and keeps a
 * failed repeat on the timeline instead of swallowing it. Against a real (embedded) Toxiproxy and
 * a real HTTP /health; the kinds under test are the real db.latency and small kinds defined here
 * to fail on purpose.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Toxiproxy, type Proxy } from 'toxiproxy-node-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Environment } from '../../env/providers/types.ts';
import { startToxiproxyServer, type ToxiproxyServerHandle } from '../../env/toxiproxy/index.ts';
import { hasCode } from '../../../system/errors.ts';
import { ApiClient } from '../api-client.ts';
import { FaultTargetMissingError } from '../errors.ts';
import type { WorkloadPlan } from '../plan.ts';
import type { SutHandle } from '../sut.ts';
import { defineFault, windowRequired, type FaultKind } from './kind.ts';
import { planFaults, type PlannedFault } from './plan.ts';
import { faultKind } from './registry.ts';
import { FaultTimeline } from './timeline.ts';
import { History } from '../../history/index.ts';
import { expiredWaits } from '../waits.ts';
import { loadScenarioText } from '../../scenario/index.ts';

/** A workload plan that submits nothing: the timeline's faults here pick no bead. */
const EMPTY_PLAN: WorkloadPlan = { actions: [], beadIds: [], beadRefs: new Map(), nominalAgentMs: new Map(), lastArrivalAt: 0 };

let toxiproxyServer: ToxiproxyServerHandle;
let health: Server;
let api: ApiClient;
let env: Environment;
let db: Proxy;

beforeAll(async () => {
  toxiproxyServer = await startToxiproxyServer({ seed: 1 });
  const toxiproxy = new Toxiproxy(toxiproxyServer.url);
  // Upstream on a port nothing listens on: the timeline only adds and removes toxics here.
  db = await toxiproxy.createProxy({ name: 'db', listen: '127.0.0.1:0', upstream: '127.0.0.1:9' });
  env = { kind: 'local', toxiproxy, toxiproxyUrl: toxiproxyServer.url, proxies: { db, agents: new Map() } } as unknown as Environment;
  health = createServer((_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"ok"}'));
  await new Promise<void>((resolve) => health.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(health.address() as AddressInfo).port}`;
  api = new ApiClient({ baseUrl: () => url });
});

afterAll(async () => {
  // A beforeAll that threw part-way leaves the later ones unset.
  await (api as ApiClient | undefined)?.destroy();
  await new Promise((resolve) => (health as Server | undefined)?.close(resolve) ?? resolve(undefined));
  await (toxiproxyServer as ToxiproxyServerHandle | undefined)?.close();
});

const timeline = (kinds?: (name: string) => FaultKind, recoveryTimeoutMs = 5_000) => {
  const zero = performance.now();
  return new FaultTimeline({
    env,
    sut: {} as SutHandle,
    api,
    plan: EMPTY_PLAN,
    seed: 1,
    now: () => performance.now() - zero,
    signal: new AbortController().signal,
    recoveryTimeoutMs,
    ...(kinds ? { kinds } : {}),
  });
};

/** Names of the toxics on the DB proxy, straight from the Toxiproxy API. */
const toxicNames = async (): Promise<string[]> => {
  const res = await fetch(`${toxiproxyServer.url}/proxies/db/toxics`);
  return ((await res.json()) as { name: string }[]).map((t) => t.name);
};

const loadFaults = (faults: string) =>
  loadScenarioText(
    `name: f\nkind: chaos\nsystem: { admin: true }\nworkload: [{ beads: 1 }]\nfaults:\n${faults}\ntimeouts: { total: 10m }\n`,
    'scenarios/chaos/f.yaml',
  ).faults;

/** A kind that records when it acted and healed, failing the acts and heals it is told to. */
function recordingKind(failActs: number[], failHeal = false) {
  const log: { what: 'act' | 'heal'; act: number }[] = [];
  const kind = defineFault({
    do: 'test.flaky',
    description: 'test',
    params: { for: windowRequired },
    async inject({ act }) {
      log.push({ what: 'act', act });
      if (failActs.includes(act)) throw new Error(`act ${act} refused`);
      return act;
    },
    async heal(_act, state) {
      log.push({ what: 'heal', act: state });
      if (failHeal) throw new Error('heal refused');
    },
  });
  return { kind, log };
}

const planned = (actsAt: number[], healAt: number): PlannedFault =>
  ({ index: 0, do: 'test.flaky', fault: { at: 0, do: 'test.flaky', for: healAt }, at: actsAt[0]!, healAt, actsAt, draws: [0.5] }) as unknown as PlannedFault;

describe('FaultTimeline', () => {
  it('adds the real db.latency toxic at its planned time, removes it at its heal time, and measures recovery', async () => {
    const plan = planFaults(loadFaults('  - { at: 100ms, do: db.latency, for: 400ms, latency: 50ms }'), 1);
    const t = timeline();
    const run = t.run(plan);
    const seen: number[] = [];
    for (let i = 0; i < 20 && seen.length === 0; i++) {
      await new Promise((r) => setTimeout(r, 50));
      if ((await toxicNames()).includes('oya-latency-0')) seen.push(i);
    }
    await run;
    expect(seen).toHaveLength(1);
    expect(await toxicNames()).toEqual([]);
    const [record] = t.records;
    expect(record!.acts).toHaveLength(1);
    expect(record!.acts[0]!.ok).toBe(true);
    expect(record!.acts[0]!.at).toBeGreaterThanOrEqual(100);
    expect(record!.healStartedAt).toBeGreaterThanOrEqual(plan[0]!.healAt);
    expect(record!.healedAt).toBeGreaterThanOrEqual(record!.healStartedAt!);
    expect(record!.recoveryMs).toBeGreaterThanOrEqual(0);
    expect(record!.error).toBeUndefined();
  });

  it("acts at the plan's times (not the entry's), records a failed repeat with its error, and heals every act that struck", async () => {
    const { kind, log } = recordingKind([1]);
    const t = timeline(() => kind);
    await t.run([planned([20, 80, 140], 200)]);
    const [record] = t.records;
    expect(record!.acts.map((a) => [a.act, a.plannedAt, a.ok, a.error])).toEqual([
      [0, 20, true, undefined],
      [1, 80, false, 'act 1 refused'],
      [2, 140, true, undefined],
    ]);
    for (const act of record!.acts) expect(act.at).toBeGreaterThanOrEqual(act.plannedAt);
    expect(record!.error).toBe('act 1: act 1 refused');
    expect(log).toEqual([
      { what: 'act', act: 0 },
      { what: 'act', act: 1 },
      { what: 'act', act: 2 },
      { what: 'heal', act: 2 },
      { what: 'heal', act: 0 },
    ]);
  });

  it('holds a fault on a process until an earlier kill of it has healed (its restart slower than planned), and records the wait', async () => {
    const log: string[] = [];
    const slowRestart = defineFault({
      do: 'orchestrator.kill',
      description: 'test: a kill whose restart takes 400 ms',
      params: { for: windowRequired },
      async inject() {
        log.push('kill');
      },
      async heal() {
        await new Promise((r) => setTimeout(r, 400));
        log.push('restarted');
      },
    });
    const crash = defineFault({
      do: 'agent.crash',
      description: 'test: records when it struck',
      params: {},
      async inject() {
        log.push('crash');
      },
    });
    const elsewhere = defineFault({
      do: 'db.latency',
      description: 'test: another process',
      params: {},
      async inject() {
        log.push('latency');
      },
    });
    const kinds = (name: string) => ({ 'orchestrator.kill': slowRestart, 'agent.crash': crash, 'db.latency': elsewhere })[name] as FaultKind;
    const fault = (index: number, name: string, at: number, healAt: number): PlannedFault =>
      ({ index, do: name, fault: { at, do: name }, at, healAt, actsAt: [at], draws: [0.5] }) as unknown as PlannedFault;
    const t = timeline(kinds);
    // The kill's window ends at 100 ms, its restart at ~500 ms; the crash is planned at 150 ms, the latency toxic at 200 ms.
    await t.run([fault(0, 'orchestrator.kill', 20, 100), fault(1, 'agent.crash', 150, 150), fault(2, 'db.latency', 200, 200)]);
    expect(log).toEqual(['kill', 'latency', 'restarted', 'crash']);
    const [kill, crashed, latency] = ['orchestrator.kill', 'agent.crash', 'db.latency'].map((name) => t.records.find((r) => r.do === name));
    const act = crashed!.acts[0]!;
    expect(act.at).toBeGreaterThanOrEqual(kill!.healedAt! - 1);
    expect(act.deferred).toEqual({ by: 'orchestrator.kill #0', ms: expect.any(Number) });
    expect(act.deferred!.ms).toBeGreaterThanOrEqual(250);
    expect(latency!.acts[0]!.deferred).toBeUndefined(); // another process: not held
    expect(kill!.acts[0]!.deferred).toBeUndefined();
  });

  it('fails the run when the first act fails, with the error on the timeline', async () => {
    const { kind } = recordingKind([0]);
    const t = timeline(() => kind);
    const err = await t.run([planned([10], 50)]).catch((e: unknown) => e);
    expect(hasCode(err, 'HARN_RUNNER_FAULT_FAILED')).toBe(true);
    expect((err as Error).message).toMatch(/test\.flaky failed to inject: act 0 refused/);
    expect(t.records[0]!.acts[0]).toMatchObject({ ok: false, error: 'act 0 refused' });
    expect(await t.healAll(false)).toEqual([]);
  });

  it('records a fault that found no target and goes on (a verdict, not a harness error): nothing to heal', async () => {
    const log: string[] = [];
    const kind = defineFault({
      do: 'test.targeted',
      description: 'test',
      params: { for: windowRequired },
      async inject() {
        log.push('act');
        throw new FaultTargetMissingError('test.targeted', 'doc.publish', 10);
      },
      async heal() {
        log.push('heal');
      },
    });
    const t = timeline(() => kind);
    await t.run([{ ...planned([10], 50), do: 'test.targeted' } as unknown as PlannedFault]);
    expect(t.records[0]).toMatchObject({ targetMissing: 'no worker ran target doc.publish within 10 ms, so test.targeted had nothing to act on' });
    expect(t.records[0]!.acts[0]).toMatchObject({ ok: false });
    expect(await t.healAll(false)).toEqual([]);
    expect(log).toEqual(['act']);
  });

  it('fails the run when a heal fails, with the heal error on the timeline', async () => {
    const { kind } = recordingKind([], true);
    const t = timeline(() => kind);
    const err = await t.run([planned([10], 50)]).catch((e: unknown) => e);
    expect(hasCode(err, 'HARN_RUNNER_FAULT_FAILED')).toBe(true);
    expect((err as Error).message).toMatch(/failed to heal: heal refused/);
    expect(t.records[0]!.healError).toBe('heal refused');
    expect(t.records[0]!.healedAt).toBeUndefined();
  });

  it('marks a recovery wait that ran out, and records it in the history as an expired wait', async () => {
    const down = createServer((_req, res) => res.writeHead(503).end('{}'));
    await new Promise<void>((resolve) => down.listen(0, '127.0.0.1', resolve));
    const downApi = new ApiClient({ baseUrl: () => `http://127.0.0.1:${(down.address() as AddressInfo).port}` });
    try {
      const { kind } = recordingKind([]);
      const history = new History();
      const t = new FaultTimeline({
        env,
        sut: {} as SutHandle,
        api: downApi,
        plan: EMPTY_PLAN,
        seed: 1,
        now: () => performance.now(),
        signal: new AbortController().signal,
        recoveryTimeoutMs: 300,
        kinds: () => kind,
        history,
      });
      const start = performance.now();
      await t.run([{ ...planned([0], 10), at: 0 }].map((p) => ({ ...p, actsAt: [start], healAt: start + 10 })));
      expect(t.records[0]!.recoveryTimedOut).toBe(true);
      expect(t.records[0]!.recoveryMs).toBeUndefined();
      expect(expiredWaits(history.toJSON().entries)).toEqual([
        { what: 'recovery', at: expect.any(Number), message: 'test.flaky #0: /health not 200 within 300 ms of the heal' },
      ]);
    } finally {
      await downApi.destroy();
      await new Promise((resolve) => down.close(resolve));
    }
  });

  it('bounds a heal that never finishes: an error on the timeline, not a hang', async () => {
    const kind = defineFault({
      do: 'test.stuck',
      description: 'test',
      params: { for: windowRequired },
      inject: async () => undefined,
      heal: () => new Promise<void>(() => {}),
    });
    const t = timeline(() => kind, 300);
    const err = await t.run([planned([10], 30)]).catch((e: unknown) => e);
    expect(hasCode(err, 'HARN_RUNNER_FAULT_FAILED')).toBe(true);
    expect(t.records[0]!.healError).toBe('the heal did not finish within 300 ms (timeouts.drain)');
  });

  it('heals what is still active when the run is torn down early', async () => {
    const plan = planFaults(loadFaults('  - { at: 0s, do: db.outage, for: 1m, mode: hang }'), 1);
    const controller = new AbortController();
    const zero = performance.now();
    const t = new FaultTimeline({
      env,
      sut: {} as SutHandle,
      api,
      plan: EMPTY_PLAN,
      seed: 1,
      now: () => performance.now() - zero,
      signal: controller.signal,
      recoveryTimeoutMs: 1000,
    });
    const run = t.run(plan);
    for (let i = 0; i < 100 && (await toxicNames()).length < 2; i++) await new Promise((r) => setTimeout(r, 20));
    expect((await toxicNames()).sort()).toEqual(['oya-hang-downstream-0', 'oya-hang-upstream-0']);
    controller.abort();
    await run;
    expect(await t.healAll(true)).toEqual([]);
    expect(await toxicNames()).toEqual([]);
    expect(t.records[0]!.healedAt).toBeDefined();
    expect(faultKind('db.outage').do).toBe('db.outage');
  });
});
