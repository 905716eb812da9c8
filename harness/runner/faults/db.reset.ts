/** db.reset: DB connections reset (TCP RST); with `for`, new ones too for that long. */
import { sleep } from '../../../system/util/index.ts';
import { defineFault, windowOptional, type Toxic } from './kind.ts';

/** Without a window, how long live connections get to hit the reset (ms). */
const INSTANT_RESET_MS = 200;

export default defineFault({
  do: 'db.reset',
  description: 'Reset DB connections (TCP RST); with `for`, keep resetting new ones for that long.',
  params: { for: windowOptional },
  async inject({ fault, env, index, signal }): Promise<Toxic> {
    const toxic = await env.proxies.db.addToxic({
      name: `oya-reset-${index}`,
      type: 'reset_peer',
      stream: 'downstream',
      toxicity: 1,
      attributes: { timeout: 0 },
    });
    if (fault.for === undefined) await sleep(INSTANT_RESET_MS, signal);
    return toxic;
  },
  async heal(_act, toxic) {
    await toxic.remove();
  },
});
