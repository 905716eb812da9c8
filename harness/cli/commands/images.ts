/**
 * `oya images`: makes the containers environment runnable here — the same as
 * `npm run env:docker` (harness/env/images/run-images.ts): Docker installed/started when
 * missing, then oya/surrealdb:local and oya/toxiproxy:local built from this checkout when stale;
 * `--sweep` removes what dead harness runs left in Docker instead.
 */
import type { CliCommand } from '../command.ts';
import { CliUsageError } from '../errors.ts';
import { parseFlags } from '../flags.ts';

const HELP = `Usage: oya images [--rebuild | --sweep]

Makes the containers environment (OYA_ENV=containers, the chaos-containers lane) runnable:
  1. installs docker.io (apt-get, as root) when Docker is missing,
  2. starts dockerd when no engine answers (DOCKER_HOST=unix://… picks its socket),
  3. builds oya/surrealdb:local and oya/toxiproxy:local from this checkout (no registry needed),
     unless they are already built from the same sources.
OYA_SURREAL_IMAGE / OYA_TOXIPROXY_IMAGE name other images (e.g. surrealdb/surrealdb:v3.0.2):
those are pulled instead. The same as \`npm run env:docker\`.

  --rebuild   build the local images even when they are up to date
  --sweep     only remove the containers, networks and volumes of harness runs that no longer
              run (labelled oya.harness), and count what live runs still hold
  -h, --help  this text

Exit: 0 ready / swept, 1 Docker or a build failed (HARN_ENV_NO_DOCKER, HARN_ENV_IMAGES), 2 bad usage.

Examples:
  oya images
  DOCKER_HOST=unix:///run/my-docker.sock oya images --sweep`;

/** Parses argv; throws CliUsageError on unknown flags or both actions at once. */
export function parseImagesArgs(argv: string[]): 'build' | 'rebuild' | 'sweep' | 'help' {
  const { values } = parseFlags('images', argv, { rebuild: { type: 'boolean' }, sweep: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } });
  if (values.help) return 'help';
  if (values.rebuild && values.sweep) throw new CliUsageError('--rebuild and --sweep do different things: give one', { flags: ['--rebuild', '--sweep'] });
  return values.sweep ? 'sweep' : values.rebuild ? 'rebuild' : 'build';
}

/** Builds the command with its output streams (tests pass their own). */
export function createImagesCommand(output: { stdout: { write(s: string): unknown }; stderr: { write(s: string): unknown } } = process): CliCommand {
  return {
    name: 'images',
    summary: 'Bring Docker up and build the local SurrealDB/Toxiproxy images for the containers environment (--sweep: remove leftovers)',
    help: HELP,
    async run(argv) {
      const action = parseImagesArgs(argv);
      if (action === 'help') {
        output.stdout.write(`${HELP}\n`);
        return 0;
      }
      // Loaded here: `oya --help` must not load Docker clients.
      const { runImages } = await import('../../env/images/run-images.ts');
      return runImages(
        action,
        (line) => output.stdout.write(`oya images: ${line}\n`),
        (line) => output.stderr.write(`oya images: ${line}\n`),
      );
    },
  };
}

export const command: CliCommand = createImagesCommand();
