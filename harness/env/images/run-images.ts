/**
 * What `npm run env:docker` and `oya images` do, in one place: Docker up (installed and started
 * when missing, as root), then the local images built from this checkout — or, with `sweep`,
 * the containers/networks/volumes of dead harness runs removed. Returns the exit code: 0 ready,
 * 1 failed (the error's code and message on `err`).
 */
import { ensureDocker } from './docker.ts';
import { buildImages, ensureImages, imageNames, isLocalImage } from './build.ts';
import { listHarnessResources, sweepOrphans } from '../providers/sweep.ts';

/** build: only when stale; rebuild: always; sweep: remove what dead runs left. */
export type ImagesAction = 'build' | 'rebuild' | 'sweep';

export async function runImages(action: ImagesAction, log: (line: string) => void, err: (line: string) => void): Promise<number> {
  if (action === 'sweep') {
    const swept = sweepOrphans();
    // No engine: the sweep already failed for that reason, and listing would only fail again.
    if (swept.error) {
      const last = swept.error.split('\n').filter(Boolean).slice(-1)[0] ?? swept.error;
      err(`HARN_ENV_NO_DOCKER the sweep could not talk to Docker (DOCKER_HOST=${process.env.DOCKER_HOST ?? 'default socket'}): ${last}`);
      return 1;
    }
    const left = listHarnessResources();
    const live = left.containers.length + left.networks.length + left.volumes.length;
    const dead = `${swept.containers.length} container(s), ${swept.networks.length} network(s), ${swept.volumes.length} volume(s)`;
    log(`swept ${dead} of dead runs; ${live} of live runs left`);
    return 0;
  }
  try {
    const started = performance.now();
    const docker = await ensureDocker(log);
    log(`Docker engine answers${docker.installed ? ' (docker.io installed)' : ''}${docker.started ? ' (dockerd started)' : ''}`);
    const names = imageNames();
    if (action === 'rebuild' && (isLocalImage(names.surreal) || isLocalImage(names.toxiproxy))) await buildImages(log);
    const done = await ensureImages(names, log);
    const what = done.built || action === 'rebuild' ? 'built' : 'up to date';
    const pulled = done.pulled.length ? `; pulled ${done.pulled.join(', ')}` : '';
    log(`ready in ${((performance.now() - started) / 1000).toFixed(1)} s: ${names.surreal}, ${names.toxiproxy} (${what}${pulled})`);
    return 0;
  } catch (e) {
    const code = (e as { code?: string }).code;
    err(`${code ? `${code} ` : ''}${(e as Error).message}`);
    return 1;
  }
}
