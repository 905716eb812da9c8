/**
 * `oya start`: the orchestrator, through system/'s own entry (system/main.ts), which `npm start`
 * runs directly. This command only maps the orchestrator's usage and configuration errors onto
 * the CLI's (exit 2 with a pointer to --help).
 */
import type { CliCommand } from '../command.ts';
import { CliUsageError } from '../errors.ts';
import { hasCode } from '../../../system/errors.ts';
import { START_FLAGS, START_HELP, runOrchestratorProcess } from '../../../system/main.ts';
import { parseFlags } from '../flags.ts';

export const command: CliCommand = {
  name: 'start',
  summary: 'Run the orchestrator (event log, supervision tree, worker pool, reconciler, REST API)',
  help: START_HELP,
  async run(argv) {
    // The orchestrator parses its flags itself (npm start runs it without the CLI); checking them
    // here first gives a mistyped one the CLI's wording: the flag meant, or the flags there are.
    parseFlags('start', argv, START_FLAGS);
    try {
      return await runOrchestratorProcess(argv);
    } catch (err) {
      if (hasCode(err, 'ORCH_USAGE') || hasCode(err, 'ORCH_CONFIG_INVALID')) {
        throw new CliUsageError((err as Error).message, { issues: (err as { details?: unknown }).details });
      }
      throw err;
    }
  },
};
