/**
 * The `containers` provider: executes containerPlan() with testcontainers — SurrealDB and
 * Toxiproxy on one network, ports mapped to this machine, agents reached through testcontainers'
 * port forwarder (host.testcontainers.internal). testcontainers is imported lazily: the `local`
 * provider never loads it.
 */
import type { StartedNetwork, StartedTestContainer } from 'testcontainers';
import { Toxiproxy, type Proxy } from 'toxiproxy-node-client';
import { containerPlan, portOf, toContainerUpstream, type ContainerSpec } from './container-plan.ts';
import { EnvConfigError, EnvDiskFullError, EnvStoppedError } from './errors.ts';
import { validateCommon } from './local.ts';
import { startOrUndo, type Teardown } from './teardown.ts';
import { agentProxyName, DB_CREDENTIALS, isAgentName, type AgentProxy, type Environment, type EnvironmentOptions } from './types.ts';

const FILLER = '/data/.oya-disk-filler';

/** Starts the containers environment; on any failure everything started so far is removed. */
export async function startContainersEnvironment(options: EnvironmentOptions): Promise<Environment> {
  validateCommon(options);
  return startOrUndo(`containers environment "${options.label}"`, (teardown) => build(options, teardown));
}

async function build(options: EnvironmentOptions, teardown: Teardown): Promise<Environment> {
  const tc = await import('testcontainers');
  const plan = containerPlan(options);
  // The port forwarder must run before Toxiproxy starts, so that container gets the host alias.
  await tc.TestContainers.exposeHostPorts(...plan.agents.map((a) => portOf(a.upstream)));

  const network: StartedNetwork = await new tc.Network().start();
  teardown.push('remove network', () => network.stop());
  const startSpec = async (spec: ContainerSpec): Promise<StartedTestContainer> => {
    let container = new tc.GenericContainer(spec.image)
      .withCommand(spec.command)
      .withNetwork(network)
      .withNetworkAliases(spec.networkAlias)
      .withExposedPorts(...spec.exposedPorts)
      .withLabels(spec.labels)
      .withWaitStrategy(tc.Wait.forHttp(spec.readyPath, spec.exposedPorts[0]!).forStatusCode(200))
      .withStartupTimeout(120_000);
    if (Object.keys(spec.tmpfs).length > 0) container = container.withTmpFs(spec.tmpfs);
    if (spec.user) container = container.withUser(spec.user);
    return container.start();
  };
  // The testcontainers reaper (Ryuk) also removes these if this process dies before stop().
  const surreal = await startSpec(plan.surreal);
  teardown.push('remove SurrealDB container', () => surreal.stop({ timeout: 3_000 }));
  const toxiContainer = await startSpec(plan.toxiproxy);
  teardown.push('remove Toxiproxy container', () => toxiContainer.stop({ timeout: 1_000 }));
  const client = await tc.getContainerRuntimeClient();
  // The port forwarder (sshd) sits on Docker's default bridge; a container only on our own
  // network could not route to host.testcontainers.internal, so Toxiproxy joins the bridge too.
  await client.container.connectToNetwork(client.container.getById(toxiContainer.getId()), client.network.getById('bridge'), []);

  const toxiproxyUrl = `http://${toxiContainer.getHost()}:${toxiContainer.getMappedPort(plan.toxiproxy.exposedPorts[0]!)}`;
  const toxiproxy = new Toxiproxy(toxiproxyUrl);
  const mapped = (listen: string): string => `${toxiContainer.getHost()}:${toxiContainer.getMappedPort(portOf(listen))}`;
  const db = await toxiproxy.createProxy(plan.dbProxy);
  const agents = new Map<string, Proxy>();
  const freeAgentPorts = [...plan.agentPorts];
  let stopped = false;

  const addAgentProxy = async (name: string, upstream: string): Promise<AgentProxy> => {
    if (stopped) throw new EnvStoppedError(`addAgentProxy(${name})`);
    if (!isAgentName(name)) throw new EnvConfigError(`bad agent name "${name}"`, { name });
    const port = freeAgentPorts.shift();
    if (port === undefined) throw new EnvConfigError(`no agent proxy port left: raise agentCount (now ${plan.agentPorts.length})`, { name });
    const containerUpstream = toContainerUpstream(upstream);
    if (containerUpstream !== upstream) await tc.TestContainers.exposeHostPorts(portOf(upstream));
    const proxy = await toxiproxy.createProxy({ name: agentProxyName(name), listen: `0.0.0.0:${port}`, upstream: containerUpstream });
    agents.set(name, proxy);
    return { listen: mapped(proxy.listen), proxy };
  };
  for (const agent of options.agents ?? []) {
    await addAgentProxy(agent.name, agent.upstream).catch((err: unknown) => {
      // toxiproxy-node-client drops the API's error text; at least say which proxy failed.
      throw new Error(`creating proxy ${agentProxyName(agent.name)} → ${agent.upstream}: ${(err as Error).message}`, { cause: err });
    });
  }

  const dockerContainer = client.container.getById(surreal.getId());
  const diskFull = options.dataDiskBytes === undefined ? undefined : {
    async fill() {
      const result = await surreal.exec(['sh', '-c', `dd if=/dev/zero of=${FILLER} bs=64k 2>/dev/null; sync; stat -c %s ${FILLER}`]).catch((err: unknown) => {
        throw new EnvDiskFullError(`cannot fill /data in ${plan.surreal.image} (needs a shell; use a -dev image tag)`, err);
      });
      if (result.exitCode !== 0) throw new EnvDiskFullError(`filling /data failed (exit ${result.exitCode}): ${result.output.trim()}`);
      return Number(result.output.trim());
    },
    async free() {
      await surreal.exec(['rm', '-f', FILLER]);
    },
  };

  return {
    kind: 'containers',
    label: options.label,
    dbUrl: `ws://${mapped(plan.dbProxy.listen)}/rpc`,
    // Docker maps a new host port on each start, so this is read anew after a restart.
    get dbDirectUrl() { return `ws://${surreal.getHost()}:${surreal.getMappedPort(plan.surreal.exposedPorts[0]!)}/rpc`; },
    dbCredentials: DB_CREDENTIALS,
    toxiproxy,
    toxiproxyUrl,
    proxies: { db, agents },
    addAgentProxy,
    db: {
      diskFull,
      async kill(signal: NodeJS.Signals = 'SIGKILL') {
        if (stopped) throw new EnvStoppedError('db.kill');
        await dockerContainer.kill({ signal });
        if (signal === 'SIGKILL') {
          while ((await dockerContainer.inspect()).State.Running) await new Promise((r) => setTimeout(r, 50));
        }
      },
      async restart() {
        if (stopped) throw new EnvStoppedError('db.restart');
        await surreal.restart({ timeout: 0 });
      },
    },
    async stop() {
      stopped = true;
      await toxiproxy.reset().catch(() => undefined);
      await teardown.run();
    },
  };
}
