/**
 * Which provider runs: `kind` option > OYA_ENV > `containers` when a Docker engine answers within
 * ~2 s AND its images are here or can be made here > `local`. The probe is a plain `GET /_ping` on
 * the Docker socket (what `docker info` does first), so a machine with only the docker CLI and no
 * daemon falls back to `local` quickly. Images: local builds are built from this checkout when
 * missing or stale (no registry involved); only images named by OYA_SURREAL_IMAGE /
 * OYA_TOXIPROXY_IMAGE are ever pulled. Nothing here lets the Docker daemon pull on its own.
 */
import { ensureImages, imageNames } from '../images/build.ts';
import { EnvConfigError, EnvImagesError, EnvNoDockerError } from './errors.ts';
import type { EnvironmentKind } from './types.ts';
import { DOCKER_PROBE_TIMEOUT_MS, dockerAvailable, dockerEndpoints } from './docker-probe.ts';

export { DOCKER_PROBE_TIMEOUT_MS, dockerAvailable, dockerEndpoints } from './docker-probe.ts';

/**
 * Decides the provider. `probe` is only called when neither `kind` nor OYA_ENV decides.
 * Forcing `containers` without an engine is an EnvNoDockerError, not a silent fallback.
 */
export async function selectKind(
  kind: EnvironmentKind | undefined,
  env: NodeJS.ProcessEnv,
  probe: () => Promise<boolean> = () => dockerAvailable({ env }),
): Promise<EnvironmentKind> {
  const fromEnv = env.OYA_ENV?.trim();
  if (kind === undefined && fromEnv && fromEnv !== 'local' && fromEnv !== 'containers') {
    throw new EnvConfigError(`OYA_ENV must be "local" or "containers", got "${fromEnv}"`, { OYA_ENV: fromEnv });
  }
  const forced = kind ?? ((fromEnv as EnvironmentKind | undefined) || undefined);
  if (forced === 'local') return 'local';
  const docker = await probe();
  if (forced === 'containers' && !docker) {
    throw new EnvNoDockerError(
      `the containers environment was requested (${kind ? 'kind option' : 'OYA_ENV'}) ` +
        `but no Docker engine answered /_ping within ${DOCKER_PROBE_TIMEOUT_MS} ms; start Docker or use OYA_ENV=local`,
      { endpoints: dockerEndpoints(env) },
    );
  }
  return docker ? 'containers' : 'local';
}

/** One preparation per process and image pair: test files start many environments. */
const prepared = new Map<string, Promise<void>>();

/** Makes the containers' images available (see the header); memoised per process. */
export function prepareImages(env: NodeJS.ProcessEnv, log: (line: string) => void): Promise<void> {
  const names = imageNames(env);
  const key = `${names.surreal} ${names.toxiproxy}`;
  let done = prepared.get(key);
  if (!done) {
    done = ensureImages(names, log, env).then(() => undefined);
    // A failure is not cached: the next start may find Docker healthy again.
    done.catch(() => prepared.delete(key));
    prepared.set(key, done);
  }
  return done;
}

let fallbackSaid = false;
const defaultLog = (line: string): void => void process.stderr.write(`${line}\n`);

/**
 * selectKind, then for `containers` the images: forced containers whose images cannot be had
 * throws EnvImagesError; chosen automatically, it falls back to `local` with one line (once per
 * process) saying why.
 */
export async function chooseKind(
  kind: EnvironmentKind | undefined,
  env: NodeJS.ProcessEnv,
  options: { probe?: () => Promise<boolean>; prepare?: () => Promise<void>; log?: (line: string) => void } = {},
): Promise<EnvironmentKind> {
  const log = options.log ?? defaultLog;
  const chosen = await selectKind(kind, env, options.probe);
  const forced = kind === 'containers' || env.OYA_ENV?.trim() === 'containers';
  if (chosen === 'local') return 'local';
  try {
    await (options.prepare ?? (() => prepareImages(env, (line) => log(`oya env: ${line}`))))();
    return 'containers';
  } catch (err) {
    const names = imageNames(env);
    const why = `the images ${names.surreal} and ${names.toxiproxy} are not available: ${(err as Error).message}`;
    if (forced) throw new EnvImagesError(`the containers environment was requested (${kind ? 'kind option' : 'OYA_ENV'}) but ${why}`, err, { images: names });
    if (!fallbackSaid) log(`oya env: using local, not containers: a Docker engine answers but ${why}`);
    fallbackSaid = true;
    return 'local';
  }
}
