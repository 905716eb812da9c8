/**
 * The `containers` environment as data: images, commands, tmpfs, ports, network aliases, proxies.
 * Pure, so it is tested on machines without Docker; containers.ts only executes it.
 */
import { agentProxyName, DB_CREDENTIALS, DB_PROXY_NAME, type EnvironmentOptions } from './types.ts';

/** SurrealDB 3.0.2: the engine version inside @surrealdb/node 3.0.3, so both providers run the same DB. */
export const SURREAL_IMAGE = 'surrealdb/surrealdb:v3.0.2';
export const TOXIPROXY_IMAGE = 'ghcr.io/shopify/toxiproxy:2.12.0';
export const SURREAL_PORT = 8000;
export const TOXIPROXY_API_PORT = 8474;
/** Container port of the DB proxy; agent proxies take the ports after it. */
export const DB_PROXY_PORT = 8666;
/** Name by which containers reach this machine (testcontainers' port forwarder). */
export const HOST_ALIAS = 'host.testcontainers.internal';
/** Network aliases: the DB proxy dials SurrealDB by name, so a restart with a new IP is fine. */
export const NETWORK_ALIASES = { surreal: 'surrealdb', toxiproxy: 'toxiproxy' } as const;

/** One container to start. */
export interface ContainerSpec {
  image: string;
  command: string[];
  /** Container path → mount options (size in bytes). */
  tmpfs: Record<string, string>;
  exposedPorts: number[];
  networkAlias: string;
  /** HTTP path that answers 200 once the container is ready, on exposedPorts[0]. */
  readyPath: string;
  user?: string;
  labels: Record<string, string>;
}

/** Everything startContainersEnvironment starts. */
export interface ContainerPlan {
  surreal: ContainerSpec;
  toxiproxy: ContainerSpec;
  dbProxy: { name: string; listen: string; upstream: string };
  /** Container ports reserved for agent proxies, in order of creation. */
  agentPorts: number[];
  agents: Array<{ name: string; proxyName: string; listen: string; upstream: string }>;
}

/**
 * Builds the plan. The DB data lives on a tmpfs of `dataDiskBytes` when set (a real ENOSPC); else
 * in the container's own layer, because Docker empties a tmpfs when the container stops and
 * db.kill() + restart() must find the committed data again.
 */
export function containerPlan(options: EnvironmentOptions): ContainerPlan {
  const agentSlots = Math.max(options.agentCount ?? 0, (options.agents?.length ?? 0) + 4);
  const agentPorts = Array.from({ length: agentSlots }, (_, i) => DB_PROXY_PORT + 1 + i);
  const labels = { 'oya.env.label': options.label, 'oya.env.seed': String(options.seed) };
  const tmpfs: Record<string, string> = options.dataDiskBytes === undefined ? {} : { '/data': `rw,mode=1777,size=${options.dataDiskBytes}` };
  return {
    surreal: {
      image: SURREAL_IMAGE,
      command: ['start', '--user', DB_CREDENTIALS.username, '--pass', DB_CREDENTIALS.password, '--bind', `0.0.0.0:${SURREAL_PORT}`, 'surrealkv:/data/db'],
      tmpfs,
      exposedPorts: [SURREAL_PORT],
      networkAlias: NETWORK_ALIASES.surreal,
      readyPath: '/health',
      // The image's default user cannot create /data in the image layer; root can.
      user: '0:0',
      labels,
    },
    toxiproxy: {
      image: TOXIPROXY_IMAGE,
      command: ['-host=0.0.0.0', `-seed=${options.seed}`],
      tmpfs: {},
      exposedPorts: [TOXIPROXY_API_PORT, DB_PROXY_PORT, ...agentPorts],
      networkAlias: NETWORK_ALIASES.toxiproxy,
      readyPath: '/version',
      labels,
    },
    dbProxy: { name: DB_PROXY_NAME, listen: `0.0.0.0:${DB_PROXY_PORT}`, upstream: `${NETWORK_ALIASES.surreal}:${SURREAL_PORT}` },
    agentPorts,
    agents: (options.agents ?? []).map((agent, i) => ({
      name: agent.name,
      proxyName: agentProxyName(agent.name),
      listen: `0.0.0.0:${agentPorts[i]}`,
      upstream: toContainerUpstream(agent.upstream),
    })),
  };
}

/** A host address as a container sees it: loopback names become the host alias. */
export function toContainerUpstream(upstream: string): string {
  const match = /^(127\.0\.0\.1|localhost|\[::1\]|0\.0\.0\.0):(\d+)$/.exec(upstream);
  return match ? `${HOST_ALIAS}:${match[2]}` : upstream;
}

/** Port of a `host:port` address. */
export function portOf(address: string): number {
  return Number(address.slice(address.lastIndexOf(':') + 1));
}
