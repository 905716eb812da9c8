/**
 * How the orchestrator reaches each worker over the network: straight to the port the worker
 * reported, or — when `workerProxyUrl` (OYA_WORKER_PROXY) names a Toxiproxy API — through a proxy
 * `agent-<workerId>` created for it as soon as it reports its port, so a chaos harness can cut
 * the orchestrator off from its workers (agent.partition) with real TCP faults while the IPC
 * heartbeats (a pipe, not the network) keep arriving.
 *
 * The proxied client is looked up per worker (`agentClient(worker)`); a worker without one (no
 * proxy configured, or the proxy could not be made) is reached directly. The proxy is removed when
 * the worker exits.
 */
import { WorkerClient, type WorkerHandle } from '../worker/index.ts';
import type { Logger } from './log.ts';

/** Proxy creation attempts before falling back to the direct address (each bounded by 2 s). */
const PROXY_CREATE_ATTEMPTS = 3;

const clients = new WeakMap<WorkerHandle, Promise<WorkerClient>>();

/** The client to reach `worker` with: through its agent proxy when one was set up, else direct. */
export function agentClient(worker: WorkerHandle): Promise<WorkerClient> {
  return clients.get(worker) ?? Promise.resolve(worker.client);
}

/**
 * Creates `agent-<workerId>` → 127.0.0.1:<port> on the Toxiproxy API at `proxyApiUrl` and routes
 * the orchestrator's calls to the worker through it. Never rejects: on failure the worker is
 * reached directly (and a warning says so), because a missing proxy must not stop real work.
 */
export function linkThroughProxy(worker: WorkerHandle, proxyApiUrl: string, log: Logger): void {
  const name = `agent-${worker.id}`;
  const api = proxyApiUrl.replace(/\/+$/, '');
  const created = (async (): Promise<WorkerClient> => {
    let lastError: unknown;
    for (let attempt = 1; attempt <= PROXY_CREATE_ATTEMPTS; attempt++) {
      try {
        const res = await fetch(`${api}/proxies`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ name, listen: '127.0.0.1:0', upstream: `127.0.0.1:${worker.port}`, enabled: true }),
          signal: AbortSignal.timeout(2000),
        });
        const body = (await res.json()) as { listen?: string; error?: string };
        if (!res.ok || typeof body.listen !== 'string') throw new Error(`POST /proxies answered ${res.status}: ${body.error ?? JSON.stringify(body)}`);
        const client = new WorkerClient(`http://${body.listen}`);
        void worker.exited.then(() => client.destroy());
        log.info({ component: 'agent-links', workerId: worker.id, proxy: name, listen: body.listen }, 'worker reached through its agent proxy');
        return client;
      } catch (err) {
        lastError = err;
      }
    }
    log.warn({ component: 'agent-links', workerId: worker.id, proxy: name, err: lastError }, 'agent proxy not created; reaching the worker directly');
    return worker.client;
  })();
  clients.set(worker, created);
  // The worker's port is gone with it; so is the reason for its proxy.
  void worker.exited.then(async () => {
    await created;
    await fetch(`${api}/proxies/${encodeURIComponent(name)}`, { method: 'DELETE', signal: AbortSignal.timeout(2000) }).catch(() => undefined);
  });
}
