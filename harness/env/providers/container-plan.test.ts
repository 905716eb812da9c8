import { describe, expect, it } from 'vitest';
import { containerPlan, SURREAL_IMAGE, TOXIPROXY_IMAGE } from './container-plan.ts';

describe('containerPlan', () => {
  const base = { seed: 11, label: 'plan', env: {} };

  it('runs SurrealDB with a root user on rocksdb:/data/db, on a sized /data tmpfs, on its own network', () => {
    const plan = containerPlan({ ...base, dataDiskBytes: 16 * 1024 * 1024 }, 9000, { 'oya.harness': 'env' });
    expect(plan.surreal.image).toBe('oya/surrealdb:local');
    expect(plan.surreal.command).toEqual(['start', '--user', 'root', '--pass', 'root', '--bind', '0.0.0.0:8000', 'rocksdb:/data/db']);
    expect(plan.surreal.tmpfs).toEqual({ '/data': 'rw,mode=1777,size=16777216' });
    expect(plan.surreal.network).toBe('own');
    expect(plan.surreal.labels).toEqual({ 'oya.harness': 'env', 'oya.env.label': 'plan', 'oya.env.seed': '11' });
    expect(plan.surreal.readyPath).toBe('/health');
  });

  it('keeps the data in the container layer without dataDiskBytes (Docker empties a tmpfs on stop)', () => {
    expect(containerPlan(base, 9000).surreal.tmpfs).toEqual({});
  });

  it("runs Toxiproxy seeded, on this machine's loopback, with the API on the given free port", () => {
    const plan = containerPlan(base, 43210);
    expect(plan.toxiproxy.image).toBe('oya/toxiproxy:local');
    expect(plan.toxiproxy.command).toEqual(['-host=127.0.0.1', '-port=43210', '-seed=11']);
    expect(plan.toxiproxy.network).toBe('host');
    expect(plan.dbProxy).toEqual({ name: 'db', listen: '127.0.0.1:0' });
  });

  it('runs the official images unchanged when OYA_SURREAL_IMAGE / OYA_TOXIPROXY_IMAGE name them', () => {
    const plan = containerPlan({ ...base, env: { OYA_SURREAL_IMAGE: SURREAL_IMAGE, OYA_TOXIPROXY_IMAGE: TOXIPROXY_IMAGE } }, 9000);
    expect([plan.surreal.image, plan.toxiproxy.image]).toEqual(['surrealdb/surrealdb:v3.0.2', 'ghcr.io/shopify/toxiproxy:2.12.0']);
    expect(plan.toxiproxy.readyPath).toBe('/version');
  });

  it('gives every agent a loopback proxy dialing the agent as this machine sees it', () => {
    const plan = containerPlan(
      {
        ...base,
        agents: [
          { name: 'w1', upstream: '127.0.0.1:4001' },
          { name: 'w2', upstream: 'agents.internal:80' },
        ],
      },
      9000,
    );
    expect(plan.agents).toEqual([
      { name: 'w1', proxyName: 'agent-w1', listen: '127.0.0.1:0', upstream: '127.0.0.1:4001' },
      { name: 'w2', proxyName: 'agent-w2', listen: '127.0.0.1:0', upstream: 'agents.internal:80' },
    ]);
  });
});
