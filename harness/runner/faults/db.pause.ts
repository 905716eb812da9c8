/**
 * db.pause: every process of the DB container frozen (`docker pause`, the cgroup freezer) for
 * `for`, then thawed. A hang no proxy can fake: connections stay open and accepted, nothing is
 * answered, not even keep-alives, and nothing is lost. Containers only (the `db.pause`
 * capability). Heal runs even when the run is torn down: a frozen DB cannot be checked.
 */
import { FaultUnsupportedError } from '../errors.ts';
import { defineFault, windowRequired } from './kind.ts';

export default defineFault({
  do: 'db.pause',
  description: 'Freeze the DB container (docker pause) for `for`; containers only.',
  needs: 'db.pause',
  params: { for: windowRequired },
  async inject({ env }) {
    const freeze = env.db.freeze;
    if (!freeze) throw new FaultUnsupportedError('db.pause', `the ${env.kind} environment cannot freeze its DB`);
    await freeze.pause();
  },
  async heal({ env }) {
    await env.db.freeze?.unpause();
  },
});
