/**
 * `oya <command> [flags]` — the one command-line entry point for both halves of Oya.
 *
 * Commands are data (harness/cli/commands/*.ts, each exporting a CliCommand) loaded lazily, so
 * `oya --help` does not pay for the SurrealDB engine and `oya toxiproxy` does not load the
 * orchestrator. Exit codes: 0 ok, 1 a failed verdict (gates), 2 bad usage or invalid input,
 * 3 an internal error.
 */
import type { CliCommand } from './command.ts';
import { hasCode } from '../../system/errors.ts';

/** Name → lazy loader. Order here is the order `oya --help` lists them in. */
const COMMANDS: Record<string, () => Promise<{ command: CliCommand }>> = {
  start: () => import('./commands/start.ts'),
  surreal: () => import('./commands/surreal.ts'),
  toxiproxy: () => import('./commands/toxiproxy.ts'),
  validate: () => import('./commands/validate.ts'),
  report: () => import('./commands/report.ts'),
  compare: () => import('./commands/compare.ts'),
  run: () => import('./commands/run.ts'),
  explore: () => import('./commands/explore.ts'),
  soak: () => import('../leak/soak.ts'),
  burn: () => import('./commands/burn.ts'),
  images: () => import('./commands/images.ts'),
};

export const EXIT = Object.freeze({ ok: 0, failed: 1, usage: 2, internal: 3 });

async function loadAll(): Promise<CliCommand[]> {
  const loaded: CliCommand[] = [];
  for (const load of Object.values(COMMANDS)) {
    try {
      loaded.push((await load()).command);
    } catch {
      // A command whose module is missing from this build is left out of the help page.
    }
  }
  return loaded;
}

async function printHelp(): Promise<void> {
  const commands = await loadAll();
  const width = Math.max(...commands.map((c) => c.name.length));
  const lines = [
    'Oya — a durable orchestrator for AI-agent beads, and the reliability harness that proves it.',
    '',
    'Usage: oya <command> [flags]',
    '',
    'Commands:',
    ...commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    "Run `oya <command> --help` for a command's flags.",
    'Exit codes: 0 ok, 1 failed verdict, 2 bad usage or invalid input, 3 internal error.',
  ];
  process.stdout.write(lines.join('\n') + '\n');
}

/** Runs `oya` with the given arguments and resolves to the exit code. */
export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    await printHelp();
    return name === undefined ? EXIT.usage : EXIT.ok;
  }
  const load = COMMANDS[name];
  if (load === undefined) {
    process.stderr.write(`oya: unknown command "${name}". Known: ${Object.keys(COMMANDS).join(', ')}. See \`oya --help\`.\n`);
    return EXIT.usage;
  }
  let command: CliCommand;
  try {
    ({ command } = await load());
  } catch (err) {
    process.stderr.write(`oya ${name}: this command failed to load: ${(err as Error).message}\n`);
    return EXIT.internal;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    process.stdout.write(command.help.trimEnd() + '\n');
    return EXIT.ok;
  }
  try {
    return await command.run(rest);
  } catch (err) {
    if (hasCode(err, 'HARN_CLI_USAGE')) {
      process.stderr.write(`oya ${name}: ${(err as Error).message}\nSee \`oya ${name} --help\`.\n`);
      return EXIT.usage;
    }
    const code = (err as { code?: string }).code;
    process.stderr.write(`oya ${name}: ${code ? `[${code}] ` : ''}${(err as Error).stack ?? String(err)}\n`);
    return EXIT.internal;
  }
}
