/**
 * `oya run <files…>`: runs scenario files one after another and exits with the verdict:
 * 0 every scenario passed, 1 a gate failed, 2 an invalid scenario or a harness error.
 */
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { CliCommand } from '../command.ts';
import { CliUsageError } from '../errors.ts';

const HELP = `Usage: oya run <file|dir>… [--profile ci|full] [--report-dir DIR]

Runs each scenario file (a directory means every *.yaml in it, sorted) against real processes:
the environment (SurrealDB behind a Toxiproxy fault proxy), the orchestrator, the workload and
the fault timeline; then drains, checks, measures and gates. Writes one JSON journal per
scenario to <report-dir>/<kind>/<name>.json and prints one verdict line per scenario.

  --profile NAME     merge the scenario's ci or full profile (default: OYA_PROFILE, else none)
  --report-dir DIR   where journals go                        (default: reports)
  -h, --help         this text

Exit codes: 0 all passed, 1 a gate failed, 2 an invalid scenario or a harness error.

Examples:
  oya run scenarios/integration/single-bead.yaml
  oya run scenarios/chaos --profile ci --report-dir /tmp/reports`;

/** Expands directories into their *.yaml files (sorted); files are kept as given. */
export async function expandScenarioPaths(paths: readonly string[]): Promise<string[]> {
  const files: string[] = [];
  for (const path of paths) {
    const info = await stat(path).catch(() => undefined);
    if (info?.isDirectory()) {
      const names = (await readdir(path)).filter((n) => n.endsWith('.yaml') || n.endsWith('.yml')).sort();
      files.push(...names.map((n) => join(path, n)));
    } else files.push(path);
  }
  return files;
}

export const command: CliCommand = {
  name: 'run',
  summary: 'run scenario files and gate on their verdict (0 pass, 1 fail, 2 invalid/error)',
  help: HELP,
  async run(argv) {
    let values: { profile?: string; 'report-dir'?: string };
    let positionals: string[];
    try {
      ({ values, positionals } = parseArgs({
        args: argv,
        strict: true,
        allowPositionals: true,
        options: { profile: { type: 'string' }, 'report-dir': { type: 'string' } },
      }));
    } catch (err) {
      throw new CliUsageError((err as Error).message, { command: 'run' });
    }
    if (positionals.length === 0) throw new CliUsageError('give at least one scenario file or directory', { command: 'run' });
    const profile = values.profile ?? (process.env.OYA_PROFILE?.trim() || undefined);
    if (profile !== undefined && profile !== 'ci' && profile !== 'full') throw new CliUsageError(`--profile must be ci or full, got "${profile}"`, { flag: 'profile' });

    // Loaded lazily: `oya run --help` must not pay for the runner's imports.
    const { runScenarioFile } = await import('../../runner/run.ts');
    const { formatFailedGates } = await import('../../runner/gates.ts');
    const files = await expandScenarioPaths(positionals);
    if (files.length === 0) throw new CliUsageError(`no scenario files in ${positionals.join(', ')}`, { command: 'run' });
    let exit = 0;
    for (const file of files) {
      let result;
      try {
        result = await runScenarioFile(file, { profile, ...(values['report-dir'] ? { reportDir: values['report-dir'] } : {}) });
      } catch (err) {
        // Invalid or unreadable scenario: nothing ran.
        process.stderr.write(`${file}: ${(err as Error).message}\n`);
        exit = 2;
        continue;
      }
      const seconds = (result.journal.durationMs / 1000).toFixed(1);
      process.stdout.write(`${result.verdict.toUpperCase().padEnd(5)} ${result.journal.scenario.name} (${seconds}s) → ${result.journalPath}\n`);
      if (result.verdict === 'fail') {
        process.stdout.write(formatFailedGates(result.journal.scenario.name, result.gates) + '\n');
        exit = Math.max(exit, 1);
      }
      if (result.verdict === 'error') {
        const e = result.journal.error;
        process.stderr.write(`  error${e?.phase ? ` in ${e.phase}` : ''}: ${e?.code ? `[${e.code}] ` : ''}${e?.message}\n`);
        exit = 2;
      }
    }
    return exit;
  },
};
