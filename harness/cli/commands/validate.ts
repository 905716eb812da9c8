/**
 * `oya validate <files or folders...>`: checks scenario files without running anything.
 * Prints `OK <file>` per valid file, or every issue as `file:line:col path: message`.
 * Exit 0 when all are valid, 2 when any is invalid (the "invalid input" code of harness/cli/main.ts).
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { hasCode } from '../../../system/errors.ts';
import type { EnvironmentKind } from '../../env/providers/types.ts';
import { unsupportedFaults, type FaultCapabilities } from '../../runner/faults/index.ts';
import { parseYamlSource } from '../../scenario/yaml-source.ts';
import { ScenarioInvalidError, ScenarioSourceError, formatIssue } from '../../scenario/errors.ts';
import { loadScenarioFile } from '../../scenario/loader.ts';
import { PROFILES, type ProfileName } from '../../scenario/sections/profiles.ts';
import type { CliCommand } from '../command.ts';
import { CliUsageError } from '../errors.ts';
import { choiceFlag, parseFlags } from '../flags.ts';

/** Where the command writes; process streams by default, swappable so tests read the output. */
export interface ValidateOutput {
  stdout: { write(text: string): unknown };
  stderr: { write(text: string): unknown };
}

const ENV_KINDS: readonly EnvironmentKind[] = ['local', 'containers'];

const HELP = `Usage: oya validate [--json] [--profile ci|full] [--env local|containers] <file-or-folder>...

Checks scenario YAML files against the scenario schema and cross-field rules, without running
anything. Folders are searched recursively for *.yaml and *.yml files. Every profile a file
declares is checked whatever --profile says; --profile picks the one whose summary is printed.

Flags:
  --json               print one JSON object per file: {file, ok, issues[]} (default: text)
  --profile <name>     ci or full (default: OYA_PROFILE, else none: the base document)
  --env <kind>         local or containers: also refuse faults that environment cannot inject
                       (e.g. a container-only fault under local), before any run

Exit codes: 0 all valid, 2 any file invalid or unreadable, or bad usage.

Examples:
  oya validate scenarios/
  oya validate scenarios/chaos/db-outage.yaml --profile ci
  oya validate --env local scenarios/chaos/
`;

interface ValidateFlags {
  json: boolean;
  profile: ProfileName | undefined;
  env: EnvironmentKind | undefined;
  targets: string[];
}

/** `--profile` falls back to OYA_PROFILE, as `oya run` does, so validate checks what run would run. */
function parseValidateFlags(argv: string[]): ValidateFlags {
  const { values, positionals } = parseFlags(
    'validate',
    argv,
    { json: { type: 'boolean', default: false }, profile: { type: 'string' }, env: { type: 'string' } },
    true,
  );
  const profile = choiceFlag('profile', values.profile, PROFILES, { name: 'OYA_PROFILE', value: process.env.OYA_PROFILE });
  const env = choiceFlag('env', values.env, ENV_KINDS);
  if (positionals.length === 0) throw new CliUsageError('give at least one scenario file or folder');
  return { json: values.json, profile, env, targets: positionals };
}

/** Expands folders into the *.yaml/*.yml files under them (sorted, so output is stable). */
async function expandTargets(targets: string[]): Promise<string[]> {
  const files: string[] = [];
  for (const target of targets) {
    const info = await stat(target).catch(() => undefined);
    if (info?.isDirectory()) {
      const entries = await readdir(target, { recursive: true, withFileTypes: true });
      const found = entries
        .filter((e) => e.isFile() && /\.ya?ml$/.test(e.name))
        .map((e) => path.join(e.parentPath, e.name))
        .sort();
      files.push(...found);
    } else {
      files.push(target); // a missing file is reported by the loader as a source error
    }
  }
  return files;
}

/**
 * What `--env <kind>` knows before anything starts: the provider's declared capabilities
 * (PROVIDER_CAPABILITIES) against the capability each kind `needs` (harness/runner/faults/kind.ts).
 * The run checks the started environment's own capabilities again.
 */
const staticCapabilities = (kind: EnvironmentKind): FaultCapabilities => ({ kind });

/** Builds the command with its output streams (tests pass their own) and the environments' declared fault capabilities. */
export function createValidateCommand(
  output: ValidateOutput = process,
  capabilities: (kind: EnvironmentKind) => FaultCapabilities = staticCapabilities,
): CliCommand {
  return {
    name: 'validate',
    summary: 'Check scenario files (schema, units, thresholds, references) without running them; with --env, also the faults that environment can inject',
    help: HELP,
    async run(argv) {
      const flags = parseValidateFlags(argv);
      const files = await expandTargets(flags.targets);
      if (files.length === 0) throw new CliUsageError(`no .yaml files found under ${flags.targets.join(', ')}`);
      let invalid = 0;
      for (const file of files) {
        try {
          const scenario = await loadScenarioFile(file, { profile: flags.profile });
          if (flags.env) {
            const refused = unsupportedFaults(scenario.faults, capabilities(flags.env));
            if (refused.length > 0) {
              invalid++;
              const source = parseYamlSource(await readFile(file, 'utf8'), file);
              const issues = refused.map((u) => ({
                file,
                ...source.locate(['faults', u.index, 'do']),
                path: `faults[${u.index}].do`,
                message: `${u.do} cannot run in the ${flags.env} environment: ${u.reason}`,
              }));
              if (flags.json) output.stdout.write(`${JSON.stringify({ file, ok: false, code: 'HARN_RUNNER_FAULT_UNSUPPORTED', issues })}\n`);
              else {
                output.stdout.write(`INVALID ${file} [HARN_RUNNER_FAULT_UNSUPPORTED]\n`);
                for (const issue of issues) output.stdout.write(`  ${formatIssue(issue)}\n`);
              }
              continue;
            }
          }
          const summary = `${scenario.kind}, ${scenario.workload.length} phase(s), ${scenario.faults.length} fault(s), ${Object.keys(scenario.thresholds).length} threshold(s)`;
          output.stdout.write(flags.json ? `${JSON.stringify({ file, ok: true, issues: [] })}\n` : `OK ${file} (${summary})\n`);
        } catch (err) {
          if (!hasCode(err, 'HARN_SCENARIO_SOURCE') && !hasCode(err, 'HARN_SCENARIO_INVALID')) throw err;
          invalid++;
          const issues =
            err instanceof ScenarioInvalidError
              ? [...err.issues]
              : [
                  {
                    file,
                    line: (err as ScenarioSourceError).line,
                    column: (err as ScenarioSourceError).column,
                    path: '(source)',
                    message: (err as ScenarioSourceError).reason,
                  },
                ];
          if (flags.json) output.stdout.write(`${JSON.stringify({ file, ok: false, code: (err as ScenarioSourceError).code, issues })}\n`);
          else {
            output.stdout.write(`INVALID ${file} [${(err as ScenarioSourceError).code}]\n`);
            for (const issue of issues) output.stdout.write(`  ${formatIssue(issue)}\n`);
          }
        }
      }
      if (!flags.json) output.stdout.write(`${files.length - invalid} valid, ${invalid} invalid\n`);
      return invalid === 0 ? 0 : 2;
    },
  };
}

export const command: CliCommand = createValidateCommand();
