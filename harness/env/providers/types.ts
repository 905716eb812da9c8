/**
 * The one interface of every environment provider (`local`, `containers`): what a scenario run
 * needs from its surroundings — a SurrealDB server reached THROUGH a Toxiproxy proxy, agent
 * proxies, and levers to kill, restart and starve the database.
 */
import type { Proxy, Toxiproxy } from 'toxiproxy-node-client';

/** Which provider runs the environment. */
export type EnvironmentKind = 'local' | 'containers';

/**
 * What an environment can do to its database, beyond the proxy toxics every environment has.
 * Fault kinds name the capability they need; a scenario needing one the environment lacks is
 * skipped with the reason.
 *  - db.kill, db.restart: both providers (a SIGKILL of the process / `docker kill`).
 *  - db.diskFull: both, when dataDiskBytes was set.
 *  - db.partition: containers only (the DB container detached from its network).
 *  - db.pause: containers only (`docker pause`: every DB process frozen by the cgroup freezer).
 */
export type EnvCapability = 'db.kill' | 'db.restart' | 'db.diskFull' | 'db.partition' | 'db.pause';

/**
 * What each provider declares before it starts: the capabilities a started environment of that
 * kind has when it was given the options its scenario's faults ask for (dataDiskBytes for
 * db.diskFull). `oya validate --env` and the lanes judge a scenario by this, without starting
 * anything; the run checks the started environment's own `capabilities` again.
 */
export const PROVIDER_CAPABILITIES: Readonly<Record<EnvironmentKind, ReadonlySet<EnvCapability>>> = Object.freeze({
  local: new Set<EnvCapability>(['db.kill', 'db.restart', 'db.diskFull']),
  containers: new Set<EnvCapability>(['db.kill', 'db.restart', 'db.diskFull', 'db.partition', 'db.pause']),
});

/** An agent (worker HTTP server) the orchestrator must reach through a proxy. */
export interface AgentUpstream {
  /** Agent name; the proxy is called `agent-<name>`. Letters, digits, `_`, `-`, `.`. */
  name: string;
  /** `host:port` of the agent as seen from this machine. */
  upstream: string;
}

/** Options of startEnvironment. */
export interface EnvironmentOptions {
  /** Forces a provider; else OYA_ENV, else `containers` when a Docker engine answers, else `local`. */
  kind?: EnvironmentKind;
  /** Seed of the fault proxy's randomness (jitter, toxicity), so a run replays. */
  seed: number;
  /** Size of the DB data disk (a tmpfs) so a disk-full is real; unset = no size limit, no diskFull. */
  dataDiskBytes?: number;
  /** Agent proxies created at start. */
  agents?: AgentUpstream[];
  /** Unused since agent proxies listen on free loopback ports in both providers; kept so old callers compile. */
  agentCount?: number;
  /** Names temp dirs and containers, so leftovers can be traced to a run. */
  label: string;
  /** Environment variables read for OYA_ENV, OYA_SURREAL_IMAGE, OYA_TOXIPROXY_IMAGE. @default process.env */
  env?: NodeJS.ProcessEnv;
  /** Where the one line saying why `local` was chosen over Docker goes. @default stderr */
  log?: (line: string) => void;
}

/** Levers on the database. */
export interface DbControl {
  /** Sends a signal to the DB process (local) or container (containers). @default 'SIGKILL' */
  kill(signal?: NodeJS.Signals): Promise<void>;
  /** Starts the DB again on the same data and the same address behind the proxy (kills it first if alive). */
  restart(): Promise<void>;
  /** PID of the DB process (local only; changes on restart). */
  readonly pid?: number;
  /** Present when dataDiskBytes was set: fill the data disk to ENOSPC, and free it again. */
  readonly diskFull?: { fill(): Promise<number>; free(): Promise<void> };
  /**
   * containers only: a real network partition. isolate() detaches the DB container from its
   * network (`docker network disconnect`): packets to it vanish, open connections go silent, new
   * ones time out — no RST, no proxy answering. rejoin() reattaches it and repoints the DB proxy
   * at its (possibly new) address. The DB process keeps running throughout.
   */
  readonly partition?: { isolate(): Promise<void>; rejoin(): Promise<void> };
  /**
   * containers only: a hang. pause() freezes every process of the DB container (`docker pause`,
   * cgroup freezer): TCP connections stay open, nothing answers, not even keep-alives.
   * unpause() thaws it; nothing is lost.
   */
  readonly freeze?: { pause(): Promise<void>; unpause(): Promise<void> };
}

/** An agent proxy: the orchestrator dials `listen` instead of the agent. */
export interface AgentProxy {
  /** `host:port` to dial, reachable from this machine. */
  listen: string;
  proxy: Proxy;
}

/** A running environment. */
export interface Environment {
  readonly kind: EnvironmentKind;
  readonly label: string;
  /** ws URL the orchestrator must use: THROUGH the DB proxy. */
  readonly dbUrl: string;
  /** ws URL straight to SurrealDB, for checkers (may change on a container restart). */
  readonly dbDirectUrl: string;
  /** Root credentials of the DB (both providers start it with a root user). */
  readonly dbCredentials: { username: string; password: string };
  /** Client of the environment's Toxiproxy API. */
  readonly toxiproxy: Toxiproxy;
  /** `http://host:port` of that API. */
  readonly toxiproxyUrl: string;
  readonly proxies: { db: Proxy; agents: Map<string, Proxy> };
  addAgentProxy(name: string, upstream: string): Promise<AgentProxy>;
  readonly db: DbControl;
  /**
   * The database levers this environment has (see EnvCapability): the ONE statement of what it
   * can do. Each fault kind names the capability it needs (harness/runner/faults/kind.ts `needs`);
   * a scenario naming a kind whose capability is missing is refused before its run starts.
   */
  readonly capabilities: ReadonlySet<EnvCapability>;
  /** Removes every toxic and proxy, stops every process/container, unmounts, deletes temp dirs. Idempotent. */
  stop(): Promise<void>;
}

/** Proxy name and DB credentials shared by both providers. */
export const DB_PROXY_NAME = 'db';
export const DB_CREDENTIALS = Object.freeze({ username: 'root', password: 'root' });
const AGENT_NAME = /^[A-Za-z0-9_.-]{1,64}$/;

/** Toxiproxy proxy name of an agent. */
export function agentProxyName(name: string): string {
  return `agent-${name}`;
}

/** True when `name` is a usable agent name. */
export function isAgentName(name: string): boolean {
  return AGENT_NAME.test(name);
}
