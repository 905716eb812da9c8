/**
 * The chaos lane in the containers environment: every scenarios/chaos/*.yaml under its ci profile,
 * ONE seed each (the local chaos lane runs three; this lane shows the scenarios hold against real
 * containers, and fits the CI budget), with OYA_ENV=containers so a missing Docker engine or
 * image is an error, never a silent fallback to local. `npx vitest --project chaos-containers`.
 * Runs are named `<name>.containers` (their own journals), container-only faults included.
 * Without any Docker engine the lane reports itself skipped with the reason; `npm run env:docker`
 * (and .ci/run) bring one up and build the images.
 */
import { it } from 'vitest';
import { dockerAvailable, prepareImages } from '../env/providers/select.ts';
import { defineLane } from './lane.ts';

process.env.OYA_ENV = 'containers';
if (await dockerAvailable()) {
  // Built (or found current) once, before any scenario's clock starts.
  await prepareImages(process.env, (line) => process.stderr.write(`chaos-containers: ${line}\n`));
  await defineLane('chaos', { ciSeeds: 1, env: 'containers' });
} else {
  it.skip('chaos-containers: no Docker engine answered /_ping within 2 s — run `npm run env:docker` (as root) to install/start one', () => {});
}
