/**
 * /admin/*: absent without an admin token (404 as if unknown), guarded by a bearer token with it
 * (401 for a missing or wrong token, before any routing), and each chaos hook reaching the service.
 */
import { describe, expect, it } from 'vitest';
import { startTestApi } from './fixtures/test-api.ts';

const TOKEN = 'chaos-token-0123456789';
const auth = { authorization: `Bearer ${TOKEN}` };

describe('/admin/* disabled', () => {
  it('answers 404 ORCH_API_NOT_FOUND for every admin path and method, even with a token', async () => {
    const t = await startTestApi();
    const routes = [
      ['GET', '/admin/actors'],
      ['POST', '/admin/actors/kill'],
      ['POST', '/admin/reconciler'],
      ['DELETE', '/admin/actors'],
    ] as const;
    for (const [method, path] of routes) {
      const res = await t.call(method, path, { json: method === 'POST' ? { paused: true } : undefined, headers: auth });
      expect(res.status).toBe(404);
      expect(res.json.error.code).toBe('ORCH_API_NOT_FOUND');
    }
    expect(t.service.calls.filter((c) => c !== 'health')).toEqual([]);
    expect(await t.healthStatus()).toBe(200);
  });
});

describe('/admin/* enabled', () => {
  it('answers 401 ORCH_API_UNAUTHORIZED without a token, with a wrong one, or with another scheme', async () => {
    const t = await startTestApi({ admin: { token: TOKEN } });
    const attempts: Array<Record<string, string>> = [
      {},
      { authorization: 'Bearer wrong' },
      { authorization: `Bearer ${TOKEN}x` },
      { authorization: `Basic ${TOKEN}` },
      { authorization: TOKEN },
    ];
    for (const headers of attempts) {
      for (const path of ['/admin/actors', '/admin/no-such-route']) {
        const res = await t.call('GET', path, { headers });
        expect(res.status).toBe(401);
        expect(res.json.error.code).toBe('ORCH_API_UNAUTHORIZED');
        expect(res.headers['www-authenticate']).toBe('Bearer');
      }
    }
    const kill = await t.call('POST', '/admin/actors/kill', { json: { path: 'universe/workers/pool' }, headers: { authorization: 'Bearer nope-nope' } });
    expect(kill.status).toBe(401);
    expect(t.service.calls.filter((c) => c !== 'health')).toEqual([]);
    expect(t.service.actors.get('universe/workers/pool')?.restarts).toBe(0);
    expect(await t.healthStatus()).toBe(200);
  });

  it('lists actors, kills one by path or some at random (seeded), and pauses the reconciler', async () => {
    const t = await startTestApi({ admin: { token: TOKEN } });
    const list = await t.call('GET', '/admin/actors', { headers: auth });
    expect(list.status).toBe(200);
    expect(list.json.actors.map((a: { path: string }) => a.path)).toContain('universe/workers/pool');

    const one = await t.call('POST', '/admin/actors/kill', { json: { path: 'universe/workers/pool' }, headers: auth });
    expect(one.json).toEqual({ killed: ['universe/workers/pool'] });
    expect(t.service.actors.get('universe/workers/pool')?.restarts).toBe(1);

    const first = await t.call('POST', '/admin/actors/kill', { json: { random: 2, seed: 7 }, headers: auth });
    const second = await t.call('POST', '/admin/actors/kill', { json: { random: 2, seed: 7 }, headers: auth });
    expect(first.json.killed).toHaveLength(2);
    expect(second.json.killed).toEqual(first.json.killed);

    const paused = await t.call('POST', '/admin/reconciler', { json: { paused: true }, headers: auth });
    expect(paused.json).toEqual({ paused: true });
    expect(t.service.reconcilerPaused).toBe(true);
    await t.call('POST', '/admin/reconciler', { json: { paused: false }, headers: auth });
    expect(t.service.reconcilerPaused).toBe(false);
  });

  it('validates admin bodies (400), maps an unknown actor to 404, and routes unknown admin paths to 404 once authorised', async () => {
    const t = await startTestApi({ admin: { token: TOKEN } });
    for (const json of [{}, { path: '' }, { random: 0 }, { random: 2, path: 'x' }, { paused: 'yes' }]) {
      const path = 'paused' in json ? '/admin/reconciler' : '/admin/actors/kill';
      const res = await t.call('POST', path, { json, headers: auth });
      expect(res.status, JSON.stringify(json)).toBe(400);
      expect(res.json.error.code).toBe('ORCH_API_INVALID_BODY');
    }
    const unknown = await t.call('POST', '/admin/actors/kill', { json: { path: 'universe/nobody' }, headers: auth });
    expect(unknown.status).toBe(404);
    expect(unknown.json.error.details).toEqual({ path: 'universe/nobody' });
    expect((await t.call('GET', '/admin/no-such-route', { headers: auth })).status).toBe(404);
    expect(t.service.reconcilerPaused).toBe(false);
    expect(await t.healthStatus()).toBe(200);
  });
});
