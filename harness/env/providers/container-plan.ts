/**
 * The `containers` environment as data: images, commands, tmpfs, networks, proxies. Pure, so it is
 * tested on machines without Docker; containers.ts only executes it.
 *
 * Layout (Linux engine): SurrealDB runs on a network of its own (one per environment) and is
 * reached by its container IP — no published port, so detaching it from that network is a real
 * partition (packets vanish; no proxy refusing). Toxiproxy runs in the host's network namespace,
 * bound to 127.0.0.1: its proxies listen on free loopback ports like the local provider's, and it
 * dials agents on this machine's loopback and SurrealDB's container IP directly.
 */
import { imageNames } from '../images/build.ts';
import { agentProxyName, DB_CREDENTIALS, DB_PROXY_NAME, type EnvironmentOptions } from './types.ts';

/** The official images the local builds stand in for (OYA_SURREAL_IMAGE / OYA_TOXIPROXY_IMAGE select them). */
export { OFFICIAL_SURREAL_IMAGE as SURREAL_IMAGE, OFFICIAL_TOXIPROXY_IMAGE as TOXIPROXY_IMAGE } from '../images/build.ts';
export const SURREAL_PORT = 8000;
/** Where the DB keeps its data inside its container (a tmpfs of dataDiskBytes when set). */
export const DATA_DIR = '/data';

/** One container to start. */
export interface ContainerSpec {
  image: string;
  command: string[];
  /** Container path → mount options (size in bytes). */
  tmpfs: Record<string, string>;
  /** 'own': the environment's network; 'host': this machine's network namespace. */
  network: 'own' | 'host';
  /** HTTP path that answers 200 once the server is ready (polled by containers.ts: any image, no log format). */
  readyPath: string;
  user?: string;
  labels: Record<string, string>;
}

/** Everything startContainersEnvironment starts. */
export interface ContainerPlan {
  surreal: ContainerSpec;
  toxiproxy: ContainerSpec;
  dbProxy: { name: string; listen: string };
  agents: Array<{ name: string; proxyName: string; listen: string; upstream: string }>;
}

/**
 * Builds the plan. `toxiproxyApiPort` is a free port of this machine (Toxiproxy shares its network
 * namespace). The DB data lives on a tmpfs of `dataDiskBytes` when set (a real ENOSPC); else in
 * the container's own layer, because Docker empties a tmpfs when the container stops and
 * db.kill() + restart() must find the committed data again.
 */
export function containerPlan(options: EnvironmentOptions, toxiproxyApiPort: number, labels: Record<string, string> = {}): ContainerPlan {
  const images = imageNames(options.env ?? process.env);
  const allLabels = { ...labels, 'oya.env.label': options.label, 'oya.env.seed': String(options.seed) };
  const tmpfs: Record<string, string> = options.dataDiskBytes === undefined ? {} : { [DATA_DIR]: `rw,mode=1777,size=${options.dataDiskBytes}` };
  return {
    surreal: {
      image: images.surreal,
      command: ['start', '--user', DB_CREDENTIALS.username, '--pass', DB_CREDENTIALS.password, '--bind', `0.0.0.0:${SURREAL_PORT}`, `rocksdb:${DATA_DIR}/db`],
      tmpfs,
      network: 'own',
      readyPath: '/health',
      // The official image's default user cannot create /data in the image layer; root can.
      user: '0:0',
      labels: allLabels,
    },
    toxiproxy: {
      image: images.toxiproxy,
      command: ['-host=127.0.0.1', `-port=${toxiproxyApiPort}`, `-seed=${options.seed}`],
      tmpfs: {},
      network: 'host',
      readyPath: '/version',
      labels: allLabels,
    },
    dbProxy: { name: DB_PROXY_NAME, listen: '127.0.0.1:0' },
    agents: (options.agents ?? []).map((agent) => ({
      name: agent.name,
      proxyName: agentProxyName(agent.name),
      listen: '127.0.0.1:0',
      upstream: agent.upstream,
    })),
  };
}
