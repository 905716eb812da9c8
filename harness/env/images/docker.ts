/**
 * Brings a Docker engine up on a machine that has none: installs Debian's `docker.io` when the
 * daemon binary is missing (root + apt-get only), starts `dockerd` when no engine answers, and
 * waits (bounded) until `/_ping` answers. Also the one place the `docker` CLI is run from.
 */
import { execFile, spawn } from 'node:child_process';
import { existsSync, openSync, closeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { dockerAvailable } from '../providers/docker-probe.ts';
import { ImagesNoDockerError } from './errors.ts';

/** How long a freshly started dockerd may take to answer /_ping (ms). A busy 2-core machine needs ~5 s. */
export const DOCKERD_START_TIMEOUT_MS = 90_000;
/** apt-get update + install of docker.io, on a slow mirror. */
const APT_TIMEOUT_MS = 15 * 60_000;

/** Output of one finished command. */
export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs a command to completion (never throws for a non-zero exit; does for a missing binary or a timeout). */
export function run(file: string, args: string[], options: { timeoutMs?: number; env?: NodeJS.ProcessEnv; cwd?: string } = {}): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const execOptions = { timeout: options.timeoutMs ?? 120_000, env: options.env ?? process.env, cwd: options.cwd, maxBuffer: 64 << 20 };
    execFile(file, args, execOptions, (err, stdout, stderr) => {
      if (err === null) resolve({ code: 0, stdout, stderr });
      // A non-zero exit carries its numeric code; a missing binary (ENOENT) or a timeout does not.
      else if (typeof err.code === 'number') resolve({ code: err.code, stdout, stderr });
      // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors -- an Error; @types/node types it as Omit<…ErrnoException>
      else reject(err);
    });
  });
}

/** Environment for the docker CLI: the classic builder, since the buildx plugin may be absent. */
export function dockerEnv(env: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  return { ...env, DOCKER_BUILDKIT: '0', DOCKER_CLI_HINTS: 'false' };
}

/** Runs `docker …`. */
export function docker(args: string[], options: { timeoutMs?: number; env?: NodeJS.ProcessEnv } = {}): Promise<RunResult> {
  return run('docker', args, { ...options, env: dockerEnv(options.env) });
}

/** First executable called `name` on PATH (plus the sbin dirs, where dockerd lives). */
export function onPath(name: string, env: NodeJS.ProcessEnv = process.env): string | undefined {
  const dirs = [...(env.PATH ?? '').split(delimiter), '/usr/sbin', '/sbin', '/usr/local/sbin'];
  return dirs
    .filter(Boolean)
    .map((d) => join(d, name))
    .find((p) => existsSync(p));
}

const isRoot = (): boolean => process.getuid?.() === 0;

/**
 * Makes sure an engine answers. Returns what it had to do, for the caller to print. Throws
 * ImagesNoDockerError with the reason when it cannot (not root, no apt-get, dockerd not answering).
 */
export async function ensureDocker(log: (line: string) => void, env: NodeJS.ProcessEnv = process.env): Promise<{ installed: boolean; started: boolean }> {
  if (await dockerAvailable({ env })) return { installed: false, started: false };
  let installed = false;
  if (!onPath('dockerd', env) || !onPath('docker', env)) {
    if (!isRoot() || !onPath('apt-get', env)) {
      throw new ImagesNoDockerError(
        'Docker is not installed and cannot be installed here (needs root and apt-get): install Docker, or run the scenarios with OYA_ENV=local',
        { root: isRoot() },
      );
    }
    log('installing docker.io (apt-get)…');
    const aptEnv = { ...env, DEBIAN_FRONTEND: 'noninteractive' };
    const update = await run('apt-get', ['update', '-qq'], { timeoutMs: APT_TIMEOUT_MS, env: aptEnv });
    const install =
      update.code === 0
        ? await run('apt-get', ['install', '-y', '-qq', '--no-install-recommends', 'docker.io'], { timeoutMs: APT_TIMEOUT_MS, env: aptEnv })
        : update;
    if (install.code !== 0) {
      throw new ImagesNoDockerError(`apt-get could not install docker.io (exit ${install.code}): ${install.stderr.trim().split('\n').slice(-3).join(' | ')}`);
    }
    installed = true;
  }
  if (!isRoot()) {
    throw new ImagesNoDockerError(
      'no Docker engine answers and starting dockerd needs root: start the Docker service (or set DOCKER_HOST), or use OYA_ENV=local',
    );
  }
  const host = env.DOCKER_HOST;
  if (host && !host.startsWith('unix://'))
    throw new ImagesNoDockerError(`no Docker engine answers at DOCKER_HOST=${host} (a remote engine is not started from here)`);
  const logFile = join(tmpdir(), 'oya-dockerd.log');
  log(`starting dockerd${host ? ` on ${host}` : ''} (log: ${logFile})…`);
  const fd = openSync(logFile, 'a');
  // Detached on purpose: the daemon is the machine's service, it outlives this command.
  const args = host ? ['-H', host, '--pidfile', `${host.slice('unix://'.length)}.pid`] : [];
  const daemon = spawn(onPath('dockerd', env)!, args, { detached: true, stdio: ['ignore', fd, fd], env });
  closeSync(fd);
  let exited: number | null | undefined;
  daemon.once('exit', (code) => {
    exited = code;
  });
  daemon.unref();
  const deadline = Date.now() + DOCKERD_START_TIMEOUT_MS;
  while (Date.now() < deadline && exited === undefined) {
    if (await dockerAvailable({ env })) return { installed, started: true };
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new ImagesNoDockerError(
    exited !== undefined
      ? `dockerd exited (code ${exited}) before answering; see ${logFile}`
      : `dockerd did not answer /_ping within ${DOCKERD_START_TIMEOUT_MS / 1000} s; see ${logFile}`,
    { logFile },
  );
}
