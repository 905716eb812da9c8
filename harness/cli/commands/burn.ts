/**
 * `oya burn --cores N [--for DURATION]` — keeps N cores busy (harness/metrics/cpu-burner.ts) in
 * the foreground until Ctrl-C / SIGTERM or the duration ends, so a lane can be run on a machine
 * with a core taken on purpose:
 *
 *   oya burn --cores 1 & npx vitest run --project chaos; kill %1
 */
import type { CliCommand } from '../command.ts';
import { CliUsageError } from '../errors.ts';
import { integerFlag, parseFlags } from '../flags.ts';
import { MAX_BURN_CORES, startCpuBurner } from '../../metrics/cpu-burner.ts';
import { parseDuration } from '../../scenario/units.ts';

const HELP = `Usage: oya burn --cores N [--for DURATION]

Keeps N cores busy (one spinning thread each) until Ctrl-C / SIGTERM, or for DURATION. For running
a test lane under a busy core on purpose, as a shared CI runner is by accident.

Flags:
  --cores N        cores to keep busy, 1-${MAX_BURN_CORES} (required)
  --for DURATION   stop after this long, e.g. 90s, 10m (default: until interrupted)
  -h, --help       this text

Examples:
  oya burn --cores 1
  oya burn --cores 1 --for 10m & npx vitest run --project chaos
`;

export const command: CliCommand = {
  name: 'burn',
  summary: 'Keep N cores busy (oya burn --cores 1) to run a lane under a busy machine on purpose',
  help: HELP,
  async run(argv) {
    const { values } = parseFlags('burn', argv, {
      cores: { type: 'string' },
      for: { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    });
    if (values.help) {
      process.stdout.write(HELP);
      return 0;
    }
    if (values.cores === undefined) throw new CliUsageError('--cores is required, e.g. --cores 1', { flag: '--cores' });
    const cores = integerFlag('cores', values.cores, { min: 1, max: MAX_BURN_CORES })!;
    let forMs: number | undefined;
    if (values.for !== undefined) {
      try {
        forMs = parseDuration(values.for);
      } catch (err) {
        throw new CliUsageError(`--for takes a duration such as 90s or 10m: ${(err as Error).message}`, { flag: '--for' });
      }
    }
    const burner = await startCpuBurner({ cores });
    process.stdout.write(`burning ${cores} core(s)${forMs === undefined ? ' until interrupted' : ` for ${values.for}`} (pid ${process.pid})\n`);
    const reason = await new Promise<string>((resolve) => {
      const timer = forMs === undefined ? undefined : setTimeout(() => stop('duration'), forMs);
      function stop(why: string): void {
        clearTimeout(timer);
        process.off('SIGINT', stop);
        process.off('SIGTERM', stop);
        resolve(why);
      }
      process.on('SIGINT', stop);
      process.on('SIGTERM', stop);
    });
    await burner.close();
    process.stdout.write(`burn stopped (${reason})\n`);
    return 0;
  },
};
