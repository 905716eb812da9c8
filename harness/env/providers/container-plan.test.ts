import { describe, expect, it } from 'vitest';
import { containerPlan, DB_PROXY_PORT, HOST_ALIAS, SURREAL_IMAGE, TOXIPROXY_IMAGE, toContainerUpstream } from './container-plan.ts';

describe('containerPlan', () => {
  const base = { seed: 11, label: 'plan' };

  it('runs a pinned SurrealDB 3.x with a root user on surrealkv:/data/db, on a sized /data tmpfs', () => {
    const plan = containerPlan({ ...base, dataDiskBytes: 16 * 1024 * 1024 });
    expect(SURREAL_IMAGE).toMatch(/^surrealdb\/surrealdb:v3\.\d+\.\d+$/);
    expect(plan.surreal.image).toBe(SURREAL_IMAGE);
    expect(plan.surreal.command.slice(0, 5)).toEqual(['start', '--user', 'root', '--pass', 'root']);
    expect(plan.surreal.command.at(-1)).toBe('surrealkv:/data/db');
    expect(plan.surreal.tmpfs).toEqual({ '/data': 'rw,mode=1777,size=16777216' });
    expect(plan.surreal.exposedPorts).toEqual([8000]);
    expect(plan.surreal.labels).toEqual({ 'oya.env.label': 'plan', 'oya.env.seed': '11' });
  });

  it('keeps the data in the container layer without dataDiskBytes (Docker empties a tmpfs on stop)', () => {
    expect(containerPlan(base).surreal.tmpfs).toEqual({});
  });

  it('runs Toxiproxy 2.12.0 seeded, publishing the API, the DB proxy and the agent proxy ports', () => {
    const plan = containerPlan({ ...base, agentCount: 3 });
    expect(plan.toxiproxy.image).toBe(TOXIPROXY_IMAGE);
    expect(TOXIPROXY_IMAGE).toBe('ghcr.io/shopify/toxiproxy:2.12.0');
    expect(plan.toxiproxy.command).toEqual(['-host=0.0.0.0', '-seed=11']);
    expect(plan.agentPorts).toEqual([DB_PROXY_PORT + 1, DB_PROXY_PORT + 2, DB_PROXY_PORT + 3, DB_PROXY_PORT + 4]);
    expect(plan.toxiproxy.exposedPorts).toEqual([8474, DB_PROXY_PORT, ...plan.agentPorts]);
  });

  it('puts both on one network: the DB proxy dials SurrealDB by its alias', () => {
    const plan = containerPlan(base);
    expect(plan.surreal.networkAlias).toBe('surrealdb');
    expect(plan.toxiproxy.networkAlias).toBe('toxiproxy');
    expect(plan.dbProxy).toEqual({ name: 'db', listen: `0.0.0.0:${DB_PROXY_PORT}`, upstream: 'surrealdb:8000' });
  });

  it('maps agents on this machine to the host alias and reserves a port per agent', () => {
    const plan = containerPlan({ ...base, agents: [{ name: 'w1', upstream: '127.0.0.1:4001' }, { name: 'w2', upstream: 'agents.internal:80' }], agentCount: 10 });
    expect(plan.agents).toEqual([
      { name: 'w1', proxyName: 'agent-w1', listen: `0.0.0.0:${DB_PROXY_PORT + 1}`, upstream: `${HOST_ALIAS}:4001` },
      { name: 'w2', proxyName: 'agent-w2', listen: `0.0.0.0:${DB_PROXY_PORT + 2}`, upstream: 'agents.internal:80' },
    ]);
    expect(plan.agentPorts).toHaveLength(10);
    expect(toContainerUpstream('localhost:9')).toBe(`${HOST_ALIAS}:9`);
  });
});
