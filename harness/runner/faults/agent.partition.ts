/**
 * agent.partition: both directions of agent proxies blackholed (Toxiproxy `timeout` 0: data is
 * dropped, connections stay open), like a real partition. `<workflow>.<bead>` / `busiest` cut
 * that worker alone; `random` (the default) cuts every worker, including workers the pool starts
 * during the window (their proxies are polled for). Heal = remove the toxics, which also closes
 * the connections that had them. The orchestrator reaches its workers through those proxies only
 * when started with OYA_WORKER_PROXY (system/runtime/agent-links.ts): see `sutEnv`.
 */
import { sleep } from '../../../system/util/index.ts';
import { checkTarget, defineFault, targetSchema, windowRequired, type Toxic } from './kind.ts';
import { FaultTargetMissingError } from '../errors.ts';
import { PICK_WAIT_MS, pickWorker } from './workers.ts';

/** How often a `random` partition looks for proxies of workers started during the window (ms). */
const WATCH_EVERY_MS = 200;

interface Cut {
  toxics: Map<string, Toxic[]>;
  stop: AbortController;
  watch: Promise<void>;
}

export default defineFault({
  do: 'agent.partition',
  description: 'Cut the network between the orchestrator and a worker for `for`.',
  params: { for: windowRequired, target: targetSchema },
  validate: (fault, ctx) => checkTarget(fault.target, ctx.workload),
  sutEnv: (_fault, env) => ({ OYA_WORKER_PROXY: env.toxiproxyUrl }),
  async inject(act): Promise<Cut> {
    const { fault, env, index, details } = act;
    let only: string | undefined;
    if (fault.target !== 'random') {
      const victim = await pickWorker(act, fault.target, []);
      if (!victim) throw new FaultTargetMissingError('agent.partition', fault.target, PICK_WAIT_MS);
      only = `agent-${victim.workerId}`;
    }
    const toxics = new Map<string, Toxic[]>();
    const cutAll = async (): Promise<void> => {
      const proxies = Object.values(await env.toxiproxy.getAll()).filter((p) => p.name.startsWith('agent-') && (only === undefined || p.name === only));
      for (const proxy of proxies) {
        if (toxics.has(proxy.name)) continue;
        toxics.set(proxy.name, []);
        for (const stream of ['upstream', 'downstream'] as const) {
          const toxic = await proxy
            .addToxic({ name: `oya-partition-${stream}-${index}`, type: 'timeout', stream, toxicity: 1, attributes: { timeout: 0 } })
            .catch(() => undefined);
          if (toxic) toxics.get(proxy.name)!.push(toxic);
        }
      }
    };
    await cutAll();
    if (toxics.size === 0)
      throw new Error(
        only
          ? `no agent proxy ${only}: is the orchestrator started with OYA_WORKER_PROXY?`
          : 'no agent proxies: is the orchestrator started with OYA_WORKER_PROXY?',
      );
    const stop = new AbortController();
    const watch =
      only !== undefined
        ? Promise.resolve()
        : (async () => {
            while (!stop.signal.aborted) {
              await sleep(WATCH_EVERY_MS, stop.signal);
              // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- heal() aborts it while this loop sleeps
              if (!stop.signal.aborted) await cutAll().catch(() => undefined);
            }
          })();
    details.proxies = [...toxics.keys()];
    return { toxics, stop, watch };
  },
  async heal({ details }, cut) {
    cut.stop.abort();
    await cut.watch;
    details.proxies = [...cut.toxics.keys()];
    // A proxy whose worker exited meanwhile is gone with its toxics: nothing to heal there.
    await Promise.all([...cut.toxics.values()].flat().map((t) => t.remove().catch(() => undefined)));
  },
});
