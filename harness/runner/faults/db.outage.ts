/** db.outage: SurrealDB unreachable through the DB proxy, refusing connections or silently hanging them. */
import { z } from 'zod';
import { defineFault, windowRequired, type Toxic } from './kind.ts';

export default defineFault({
  do: 'db.outage',
  description: 'Make SurrealDB unreachable through the proxy.',
  params: {
    for: windowRequired,
    mode: z.enum(['refuse', 'hang']).default('refuse').meta({ description: 'refuse: connections fail at once; hang: accepted, then silent.' }),
  },
  async inject({ fault, env, index, details }): Promise<Toxic[]> {
    const db = env.proxies.db;
    if (fault.mode === 'refuse') {
      await db.update({ enabled: false, listen: db.listen, upstream: db.upstream });
      return [];
    }
    // hang: connections stay open but nothing flows either way (Toxiproxy timeout 0 = blackhole).
    const toxics = await Promise.all(
      (['upstream', 'downstream'] as const).map((stream) =>
        db.addToxic({ name: `oya-hang-${stream}-${index}`, type: 'timeout', stream, toxicity: 1, attributes: { timeout: 0 } }),
      ),
    );
    details.toxics = toxics.map((t) => t.name);
    return toxics;
  },
  async heal({ fault, env }, toxics) {
    const db = env.proxies.db;
    if (fault.mode === 'refuse') await db.update({ enabled: true, listen: db.listen, upstream: db.upstream });
    else await Promise.all(toxics.map((t) => t.remove()));
  },
});
