/** Client retries: planned (seeded, the SDK-like default), classified, and every attempt in the History with the same key. */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { History } from '../history/index.ts';
import { loadScenarioText } from '../scenario/index.ts';
import { ApiClient } from './api-client.ts';
import { planWorkload, type PlannedAction } from './plan.ts';
import { retryable, runWorkload } from './workload.ts';

const scenario = (retry = '') =>
  loadScenarioText(`name: r\nkind: integration\nseed: 5\nworkload: [{ name: burst, beads: 4, rate: 10/s${retry} }]\n`, 'scenarios/integration/r.yaml');
const submits = (actions: PlannedAction[]) => actions.filter((a): a is Extract<PlannedAction, { type: 'submit' }> => a.type === 'submit');

let server: Server | undefined;
let api: ApiClient | undefined;
afterEach(async () => {
  await api?.destroy();
  await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)));
  server = api = undefined;
});

describe('retry plan', () => {
  it('defaults like an SDK: 3 attempts, full-jitter backoff from 100 ms, on transient answers only', () => {
    const [first] = submits(planWorkload(scenario()).actions);
    expect(first!.retry.attempts).toBe(3);
    expect(first!.retry.on).toEqual(['unknown', 'refused', 429, 500, 502, 503, 504]);
    expect(first!.retry.backoffs).toHaveLength(2);
    expect(first!.retry.backoffs[0]).toBeLessThanOrEqual(100);
    expect(first!.retry.backoffs[1]).toBeLessThanOrEqual(200);
  });

  it('draws the same backoffs for the same seed, and a retry policy moves no arrival', () => {
    const a = submits(planWorkload(scenario(', retry: { attempts: 6, backoff: 1s, on: [503] }')).actions);
    const b = submits(planWorkload(scenario(', retry: { attempts: 6, backoff: 1s, on: [503] }')).actions);
    expect(a.map((x) => x.retry)).toEqual(b.map((x) => x.retry));
    expect(a[0]!.retry.backoffs).toHaveLength(5);
    a[0]!.retry.backoffs.forEach((ms, n) => expect(ms).toBeLessThanOrEqual(1000 * 2 ** n));
    expect(a.map((x) => x.at)).toEqual(submits(planWorkload(scenario()).actions).map((x) => x.at));
  });

  it('refuses a retry.on that is neither unknown, refused nor an HTTP error status', () => {
    expect(() => scenario(', retry: { on: [timeout] }')).toThrow(/retry\.on lists unknown, refused or HTTP statuses/);
    expect(() => scenario(', retry: { attempts: 0 }')).toThrow(/attempts/);
  });
});

describe('retryable', () => {
  const on = ['unknown', 'refused', 503] as const;
  it('retries what the policy names and never an ok or a plain refusal of the request', () => {
    expect(retryable({ type: 'unknown' }, on)).toBe(true);
    expect(retryable({ type: 'fail', code: 'ECONNREFUSED' }, on)).toBe(true);
    expect(retryable({ type: 'unknown', status: 503 }, [503])).toBe(true);
    expect(retryable({ type: 'fail', status: 400 }, on)).toBe(false);
    expect(retryable({ type: 'ok', status: 201 }, on)).toBe(false);
    expect(retryable({ type: 'unknown' }, ['refused'])).toBe(false);
  });
});

describe('runWorkload with retries', () => {
  it('re-sends with the same idempotency key until ok, each attempt an operation of the History', async () => {
    const seen = new Map<string, number>();
    server = createServer((req, res) => {
      req.resume();
      const key = String(req.headers['idempotency-key']);
      const n = (seen.get(key) ?? 0) + 1;
      seen.set(key, n);
      // The first two sends of every key are answered 503, the third is accepted.
      if (n < 3) return res.writeHead(503, { 'content-type': 'application/json' }).end('{"error":{"code":"ORCH_UNAVAILABLE"}}');
      return res.writeHead(201, { 'content-type': 'application/json' }).end('{"beads":[]}');
    });
    await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
    api = new ApiClient({ baseUrl: () => `http://127.0.0.1:${(server!.address() as AddressInfo).port}` });
    const history = new History();
    const t0 = performance.now();
    const s = scenario(', retry: { attempts: 3, backoff: 20ms }');
    await runWorkload({
      plan: planWorkload(s),
      api,
      history,
      now: () => performance.now() - t0,
      signal: new AbortController().signal,
      budgets: { startOfBead: 1000, notCreatedGrace: 100 },
    });
    const ops = history.operations().filter((o) => o.kind === 'submit');
    expect(ops).toHaveLength(12);
    for (const key of ['submit:burst-1', 'submit:burst-2', 'submit:burst-3', 'submit:burst-4']) {
      expect(ops.filter((o) => o.idempotencyKey === key).map((o) => o.outcome)).toEqual(['unknown', 'unknown', 'ok']);
    }
  });
});
