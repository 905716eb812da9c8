/**
 * The `containers` provider: executes containerPlan() with testcontainers — SurrealDB on a network
 * of its own, Toxiproxy in this machine's network namespace (see container-plan.ts for why).
 * Ryuk, testcontainers' reaper, needs an image pulled from a registry, so it is off
 * (TESTCONTAINERS_RYUK_DISABLED) and sweep.ts stands in for it: owner labels on everything, removal
 * on stop()/exit/signals, and a sweep of dead owners' leftovers at every start. testcontainers is
 * imported lazily: the `local` provider never loads it.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import { Toxiproxy, type Proxy } from 'toxiproxy-node-client';
import { containerPlan, DATA_DIR, SURREAL_PORT, type ContainerSpec } from './container-plan.ts';
import { EnvConfigError, EnvDiskFullError, EnvStoppedError } from './errors.ts';
import { validateCommon } from './local.ts';
import { ownerLabels, sweepOrphans } from './sweep.ts';
import { startOrUndo, type Teardown } from './teardown.ts';
import { agentProxyName, DB_CREDENTIALS, isAgentName, type AgentProxy, type EnvCapability, type Environment, type EnvironmentOptions } from './types.ts';

const FILLER = `${DATA_DIR}/.oya-disk-filler`;
/** How long a container's server may take to answer its ready path (node start-up on a busy 2-core machine). */
const READY_TIMEOUT_MS = 120_000;

/** Starts the containers environment; on any failure everything started so far is removed. */
export async function startContainersEnvironment(options: EnvironmentOptions): Promise<Environment> {
  validateCommon(options);
  return startOrUndo(`containers environment "${options.label}"`, (teardown) => build(options, teardown));
}

/** `docker rm -f` / `network rm` for the exit and signal hooks, which must be synchronous. */
function removeSync(args: string[]): () => void {
  return () => {
    try {
      execFileSync('docker', args, { stdio: 'ignore', timeout: 30_000 });
    } catch {
      // gone already, or the engine is: the next sweep removes it
    }
  };
}

/** A free TCP port of this machine's loopback (Toxiproxy shares our network namespace). */
function freeLoopbackPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** Splits Docker's multiplexed stdout/stderr stream (8-byte frame headers) into its text. */
function demux(raw: Buffer): string {
  let output = '';
  for (let i = 0; i + 8 <= raw.length;) {
    const size = raw.readUInt32BE(i + 4);
    output += raw.subarray(i + 8, i + 8 + size).toString();
    i += 8 + size;
  }
  return output;
}

/** What a container can tell about itself while we wait for it (dockerode's Container, narrowed). */
interface Inspectable {
  inspect(): Promise<{ State: { Running: boolean; ExitCode: number } }>;
  logs(options: { stdout: true; stderr: true; tail: number; follow?: false }): Promise<Buffer>;
}

/**
 * Polls url until it answers 200, at most READY_TIMEOUT_MS; fails at once, with the container's
 * last output, when the container has exited (a bad command line, a crash) instead of waiting out
 * the bound.
 */
async function ready(url: string, what: string, container: Inspectable): Promise<void> {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  for (;;) {
    const status = await fetch(url, { signal: AbortSignal.timeout(2_000) }).then(
      (r) => {
        void r.body?.cancel();
        return r.status;
      },
      () => 0,
    );
    if (status === 200) return;
    const state = (await container.inspect()).State;
    if (!state.Running) {
      const output = demux(await container.logs({ stdout: true, stderr: true, tail: 20 })).trim();
      throw new Error(`${what} exited (code ${state.ExitCode}) before answering ${url}: ${output}`);
    }
    if (Date.now() > deadline) throw new Error(`${what} did not answer ${url} with 200 within ${READY_TIMEOUT_MS / 1000} s`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

async function build(options: EnvironmentOptions, teardown: Teardown): Promise<Environment> {
  // Without this testcontainers would first try to pull and start Ryuk (testcontainers/ryuk).
  process.env.TESTCONTAINERS_RYUK_DISABLED ??= 'true';
  const tc = await import('testcontainers');
  sweepOrphans();
  const suffix = randomBytes(3).toString('hex');
  const labels = ownerLabels();
  const plan = containerPlan(options, await freeLoopbackPort(), labels);
  const client = await tc.getContainerRuntimeClient();

  const networkName = `oya-${options.label}-${suffix}`;
  const network = await client.network.create({ Name: networkName, Driver: 'bridge', CheckDuplicate: true, Labels: plan.surreal.labels });
  teardown.push('remove network', () => client.network.remove(network), removeSync(['network', 'rm', networkName]));

  const startSpec = async (spec: ContainerSpec, role: string): Promise<string> => {
    const name = `oya-${options.label}-${role}-${suffix}`;
    let container = new tc.GenericContainer(spec.image)
      .withName(name)
      .withCommand(spec.command)
      .withNetworkMode(spec.network === 'host' ? 'host' : networkName)
      .withLabels(spec.labels)
      .withStartupTimeout(READY_TIMEOUT_MS);
    if (Object.keys(spec.tmpfs).length > 0) container = container.withTmpFs(spec.tmpfs);
    if (spec.user) container = container.withUser(spec.user);
    // Registered before start: a start that fails halfway still removes the container by name.
    teardown.push(`remove ${role} container`, () => client.container.getById(name).remove({ force: true, v: true }), removeSync(['rm', '-f', '-v', name]));
    return (await container.start()).getId();
  };

  const surrealId = await startSpec(plan.surreal, 'db');
  const surreal = client.container.getById(surrealId);
  const surrealAddress = async (): Promise<string> => {
    const ip = (await surreal.inspect()).NetworkSettings.Networks[networkName]?.IPAddress;
    if (!ip) throw new Error(`the SurrealDB container has no address on ${networkName}`);
    return `${ip}:${SURREAL_PORT}`;
  };
  let dbAddress = await surrealAddress();
  await ready(`http://${dbAddress}${plan.surreal.readyPath}`, `SurrealDB (${plan.surreal.image})`, surreal);

  const toxiContainer = client.container.getById(await startSpec(plan.toxiproxy, 'toxiproxy'));
  const toxiproxyUrl = `http://127.0.0.1:${plan.toxiproxy.command.find((c) => c.startsWith('-port='))!.slice('-port='.length)}`;
  await ready(`${toxiproxyUrl}${plan.toxiproxy.readyPath}`, `Toxiproxy (${plan.toxiproxy.image})`, toxiContainer);
  const toxiproxy = new Toxiproxy(toxiproxyUrl);
  const db = await toxiproxy.createProxy({ ...plan.dbProxy, upstream: dbAddress });
  /** Points the DB proxy at the container's current address (Docker may hand out a new IP). */
  const repoint = async (): Promise<void> => {
    const now = await surrealAddress();
    if (now === dbAddress) return;
    dbAddress = now;
    await db.update({ enabled: true, listen: db.listen, upstream: now });
  };

  const agents = new Map<string, Proxy>();
  let stopped = false;
  const live = (what: string): void => {
    if (stopped) throw new EnvStoppedError(what);
  };
  const addAgentProxy = async (name: string, upstream: string): Promise<AgentProxy> => {
    live(`addAgentProxy(${name})`);
    if (!isAgentName(name)) throw new EnvConfigError(`bad agent name "${name}"`, { name });
    const proxy = await toxiproxy.createProxy({ name: agentProxyName(name), listen: '127.0.0.1:0', upstream });
    agents.set(name, proxy);
    return { listen: proxy.listen, proxy };
  };
  for (const agent of plan.agents) {
    await addAgentProxy(agent.name, agent.upstream).catch((err: unknown) => {
      // toxiproxy-node-client drops the API's error text; at least say which proxy failed.
      throw new Error(`creating proxy ${agent.proxyName} → ${agent.upstream}: ${(err as Error).message}`, { cause: err });
    });
  }

  const exec = async (cmd: string[]): Promise<{ exitCode: number; output: string }> => {
    const run = await surreal.exec({ Cmd: cmd, AttachStdout: true, AttachStderr: true });
    const stream = await run.start({ hijack: true, stdin: false });
    const chunks: Buffer[] = [];
    await new Promise<void>((resolve, reject) => {
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.once('end', resolve);
      stream.once('error', reject);
    });
    return { exitCode: (await run.inspect()).ExitCode ?? -1, output: demux(Buffer.concat(chunks)) };
  };
  const diskFull =
    options.dataDiskBytes === undefined
      ? undefined
      : {
          async fill() {
            live('db.diskFull.fill');
            const result = await exec(['sh', '-c', `dd if=/dev/zero of=${FILLER} bs=64k 2>/dev/null; sync; stat -c %s ${FILLER}`]).catch((err: unknown) => {
              throw new EnvDiskFullError(`cannot fill ${DATA_DIR} in ${plan.surreal.image} (needs sh, dd, stat: use oya/surrealdb:local or a -dev tag)`, err);
            });
            if (result.exitCode !== 0) throw new EnvDiskFullError(`filling ${DATA_DIR} failed (exit ${result.exitCode}): ${result.output.trim()}`);
            return Number(result.output.trim());
          },
          async free() {
            live('db.diskFull.free');
            await exec(['rm', '-f', FILLER]);
          },
        };

  let paused = false;
  let isolated = false;
  const unpause = async (): Promise<void> => {
    if (!paused) return;
    await surreal.unpause();
    paused = false;
  };
  const rejoin = async (): Promise<void> => {
    if (!isolated) return;
    await client.network.getById(network.id).connect({ Container: surrealId });
    isolated = false;
    await repoint();
  };
  const capabilities: EnvCapability[] = ['db.kill', 'db.restart', 'db.partition', 'db.pause'];
  if (diskFull) capabilities.push('db.diskFull');

  return {
    kind: 'containers',
    label: options.label,
    dbUrl: `ws://${db.listen}/rpc`,
    // The container's address on its network; re-read after a restart or a rejoin.
    get dbDirectUrl() {
      return `ws://${dbAddress}/rpc`;
    },
    dbCredentials: DB_CREDENTIALS,
    toxiproxy,
    toxiproxyUrl,
    proxies: { db, agents },
    addAgentProxy,
    capabilities: new Set(capabilities),
    db: {
      diskFull,
      async kill(signal: NodeJS.Signals = 'SIGKILL') {
        live('db.kill');
        await surreal.kill({ signal });
        if (signal === 'SIGKILL') {
          while ((await surreal.inspect()).State.Running) await new Promise((r) => setTimeout(r, 50));
        }
      },
      async restart() {
        live('db.restart');
        await unpause();
        await rejoin();
        await surreal.restart({ t: 0 });
        await repoint();
        await ready(`http://${dbAddress}${plan.surreal.readyPath}`, 'SurrealDB after restart', surreal);
      },
      partition: {
        async isolate() {
          live('db.partition.isolate');
          if (isolated) return;
          await client.network.getById(network.id).disconnect({ Container: surrealId, Force: true });
          isolated = true;
        },
        async rejoin() {
          live('db.partition.rejoin');
          await rejoin();
        },
      },
      freeze: {
        async pause() {
          live('db.freeze.pause');
          if (paused) return;
          await surreal.pause();
          paused = true;
        },
        async unpause() {
          live('db.freeze.unpause');
          await unpause();
        },
      },
    },
    async stop() {
      stopped = true;
      await toxiproxy.reset().catch(() => undefined);
      await teardown.run();
    },
  };
}
