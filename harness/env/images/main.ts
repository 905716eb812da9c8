/**
 * `npm run env:docker` (tsx harness/env/images/main.ts): Docker up (installed and started when
 * missing, as root), then the local images built from this checkout. Exit 0 ready, 1 failed,
 * 2 bad usage. With OYA_SURREAL_IMAGE / OYA_TOXIPROXY_IMAGE set to official images, those are
 * pulled instead of building their local stand-ins. `oya images` is the same command.
 */
import { runImages } from './run-images.ts';

const HELP = `Usage: npm run env:docker [-- --rebuild | --sweep]

Makes the containers environment runnable on this machine:
  1. installs docker.io (apt-get, as root) when Docker is missing,
  2. starts dockerd when no engine answers (DOCKER_HOST=unix://… picks its socket),
  3. builds oya/surrealdb:local and oya/toxiproxy:local from this checkout (no registry needed),
     unless they are already built from the same sources (--rebuild forces it).
OYA_SURREAL_IMAGE / OYA_TOXIPROXY_IMAGE name other images (e.g. surrealdb/surrealdb:v3.0.2,
ghcr.io/shopify/toxiproxy:2.12.0): those are pulled instead.

--sweep only removes the containers and networks of harness runs that no longer run (labelled
oya.harness; what a SIGKILLed runner leaves) and lists what is left of live ones.
`;

const log = (line: string): void => void process.stdout.write(`env:docker: ${line}\n`);
const args = process.argv.slice(2);
if (args.includes('-h') || args.includes('--help')) {
  process.stdout.write(HELP);
} else if (args.some((a) => a !== '--rebuild' && a !== '--sweep') || args.length > 1) {
  process.stderr.write(`env:docker: bad arguments: ${args.join(' ')}\n${HELP}`);
  process.exitCode = 2;
} else {
  const action = args[0] === '--sweep' ? 'sweep' : args[0] === '--rebuild' ? 'rebuild' : 'build';
  process.exitCode = await runImages(action, log, (line) => void process.stderr.write(`env:docker: ${line}\n`));
}
