/**
 * Is a Docker engine there? A plain `GET /_ping` on the Docker socket (what `docker info` does
 * first), bounded, so a machine with only the docker CLI and no daemon answers "no" quickly. A
 * leaf module: provider selection and the image builder both ask it.
 */
import { existsSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { join } from 'node:path';

/** How long the Docker probe may take before the engine counts as absent (ms). */
export const DOCKER_PROBE_TIMEOUT_MS = 2_000;

/** Where a Docker engine would answer: DOCKER_HOST, else the usual unix sockets. */
export function dockerEndpoints(env: NodeJS.ProcessEnv = process.env): Array<{ socketPath: string } | { host: string; port: number }> {
  const dockerHost = env.DOCKER_HOST;
  if (dockerHost?.startsWith('unix://')) return [{ socketPath: dockerHost.slice('unix://'.length) }];
  if (dockerHost?.startsWith('tcp://')) {
    const url = new URL(dockerHost.replace(/^tcp:/, 'http:'));
    return [{ host: url.hostname, port: Number(url.port || 2375) }];
  }
  const candidates = ['/var/run/docker.sock'];
  if (env.XDG_RUNTIME_DIR) candidates.push(join(env.XDG_RUNTIME_DIR, 'docker.sock'));
  if (env.HOME) candidates.push(join(env.HOME, '.docker', 'run', 'docker.sock'));
  return candidates.filter((path) => existsSync(path)).map((socketPath) => ({ socketPath }));
}

function ping(endpoint: { socketPath: string } | { host: string; port: number }, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const req = httpRequest({ ...endpoint, path: '/_ping', method: 'GET', timeout: timeoutMs }, (res) => {
      res.resume();
      resolve(res.statusCode === 200);
    });
    req.once('timeout', () => {
      req.destroy();
      resolve(false);
    });
    req.once('error', () => resolve(false));
    req.end();
  });
}

/** True when a Docker engine answers `/_ping` with 200 within timeoutMs. */
export async function dockerAvailable(options: { env?: NodeJS.ProcessEnv; timeoutMs?: number } = {}): Promise<boolean> {
  const endpoints = dockerEndpoints(options.env);
  const results = await Promise.all(endpoints.map((e) => ping(e, options.timeoutMs ?? DOCKER_PROBE_TIMEOUT_MS)));
  return results.some(Boolean);
}
