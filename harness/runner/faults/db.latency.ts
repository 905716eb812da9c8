/** db.latency: every DB response delayed (a Toxiproxy latency toxic on the DB proxy). */
import { defineFault, windowRequired, type Toxic } from './kind.ts';
import { durationSchema } from '../../scenario/units.ts';

export default defineFault({
  do: 'db.latency',
  description: 'Delay every DB response.',
  params: {
    for: windowRequired,
    latency: durationSchema.meta({ description: 'Added delay.' }),
    jitter: durationSchema.prefault('0s').meta({ description: 'Random ± spread on the delay.' }),
  },
  async inject({ fault, env, index }): Promise<Toxic> {
    return env.proxies.db.addToxic({
      name: `oya-latency-${index}`,
      type: 'latency',
      stream: 'downstream',
      toxicity: 1,
      attributes: { latency: fault.latency, jitter: fault.jitter },
    });
  },
  async heal(_act, toxic) {
    await toxic.remove();
  },
});
