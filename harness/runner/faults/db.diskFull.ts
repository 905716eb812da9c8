/** db.diskFull: the DB's size-limited data disk filled to a real ENOSPC, freed at the end of the window. */
import { FaultUnsupportedError } from '../errors.ts';
import { defineFault, windowRequired } from './kind.ts';

/** Size of the data disk the environment mounts when a scenario fills it (bytes). */
export const DATA_DISK_BYTES = 64 * 1024 * 1024;

export default defineFault({
  do: 'db.diskFull',
  description: 'Fill the DB data volume (real ENOSPC) for `for`.',
  needs: 'db.diskFull',
  params: { for: windowRequired },
  environmentOptions: () => ({ dataDiskBytes: DATA_DISK_BYTES }),
  async inject({ env, details }) {
    const disk = env.db.diskFull;
    if (!disk) throw new FaultUnsupportedError('db.diskFull', 'the environment has no size-limited data disk');
    details.filledBytes = await disk.fill();
  },
  async heal({ env }) {
    await env.db.diskFull?.free();
  },
});
