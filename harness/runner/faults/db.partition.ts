/**
 * db.partition: the DB container detached from its network (`docker network disconnect`) for
 * `for`, then reattached. Unlike db.outage (the proxy refusing or blackholing), nothing answers
 * at all: open connections go silent, new ones time out, and the DB keeps running behind the
 * cut. Containers only (the `db.partition` capability). Heal runs even when the run is torn
 * down: the checkers read the DB afterwards.
 */
import { FaultUnsupportedError } from '../errors.ts';
import { defineFault, windowRequired } from './kind.ts';

export default defineFault({
  do: 'db.partition',
  description: 'Partition the DB container from the network (docker network disconnect) for `for`; containers only.',
  needs: 'db.partition',
  params: { for: windowRequired },
  async inject({ env }) {
    const partition = env.db.partition;
    if (!partition) throw new FaultUnsupportedError('db.partition', `the ${env.kind} environment cannot detach its DB from the network`);
    await partition.isolate();
  },
  async heal({ env }) {
    await env.db.partition?.rejoin();
  },
});
