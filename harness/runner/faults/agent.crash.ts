/** agent.crash: worker processes SIGKILLed; the pool respawns them and their beads resume. */
import { z } from 'zod';
import { checkTarget, defineFault, targetSchema } from './kind.ts';
import { FaultTargetMissingError } from '../errors.ts';
import { PICK_WAIT_MS, pickWorker } from './workers.ts';

export default defineFault({
  do: 'agent.crash',
  description: 'Kill worker processes abruptly; the pool respawns them and beads resume.',
  params: {
    target: targetSchema,
    count: z.int().min(1).default(1).meta({ description: 'Workers killed.' }),
  },
  validate: (fault, ctx) => checkTarget(fault.target, ctx.workload),
  async inject(act) {
    const { fault, details } = act;
    const killed: { pid: number; workerId: string }[] = [];
    for (let i = 0; i < fault.count; i++) {
      const victim = await pickWorker(
        act,
        fault.target,
        killed.map((k) => k.pid),
      );
      if (!victim) break;
      try {
        process.kill(victim.pid, 'SIGKILL');
        killed.push(victim);
      } catch {
        // exited on its own meanwhile
      }
    }
    details.killed = killed;
    if (killed.length === 0) throw new FaultTargetMissingError('agent.crash', fault.target, PICK_WAIT_MS);
  },
});
