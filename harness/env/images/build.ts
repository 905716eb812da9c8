/**
 * Builds `oya/surrealdb:local` and `oya/toxiproxy:local` from this checkout with no registry:
 * a `FROM scratch` runtime image holding the staged rootfs (rootfs.ts), and one thin image per
 * server on top of it (entry point + the official image's default command). Each image carries
 * the source hash as a label, so a checkout that changed is rebuilt and an unchanged one is not.
 */
import { closeSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isProcessRunning } from '../../../system/util/index.ts';
import { docker } from './docker.ts';
import { ImagesBuildError } from './errors.ts';
import { sourceHash, stageRootfs } from './rootfs.ts';

/** Default image names: the local builds. */
export const LOCAL_SURREAL_IMAGE = 'oya/surrealdb:local';
export const LOCAL_TOXIPROXY_IMAGE = 'oya/toxiproxy:local';
/** The runtime layer both local images are built on. */
export const LOCAL_RUNTIME_IMAGE = 'oya/runtime:local';
/** The official images the local ones stand in for (same command lines, same ports). */
export const OFFICIAL_SURREAL_IMAGE = 'surrealdb/surrealdb:v3.0.2';
export const OFFICIAL_TOXIPROXY_IMAGE = 'ghcr.io/shopify/toxiproxy:2.12.0';
/** Label holding sourceHash() on the local images. */
export const SOURCE_LABEL = 'oya.images.source';
const BUILD_TIMEOUT_MS = 15 * 60_000;
const PULL_TIMEOUT_MS = 5 * 60_000;

/** Which images a containers environment runs (OYA_SURREAL_IMAGE / OYA_TOXIPROXY_IMAGE, else the local builds). */
export interface ImageNames {
  readonly surreal: string;
  readonly toxiproxy: string;
}

export function imageNames(env: NodeJS.ProcessEnv = process.env): ImageNames {
  return Object.freeze({
    surreal: env.OYA_SURREAL_IMAGE?.trim() || LOCAL_SURREAL_IMAGE,
    toxiproxy: env.OYA_TOXIPROXY_IMAGE?.trim() || LOCAL_TOXIPROXY_IMAGE,
  });
}

/** True for the names this package builds. */
export function isLocalImage(name: string): boolean {
  return name === LOCAL_SURREAL_IMAGE || name === LOCAL_TOXIPROXY_IMAGE;
}

/** Present locally? And, for a local build, built from this checkout as it is now? */
export async function imageState(name: string, env: NodeJS.ProcessEnv = process.env): Promise<'current' | 'stale' | 'missing'> {
  const out = await docker(['image', 'inspect', '--format', `{{ index .Config.Labels "${SOURCE_LABEL}" }}`, name], { env, timeoutMs: 30_000 });
  if (out.code !== 0) return 'missing';
  if (!isLocalImage(name)) return 'current';
  return out.stdout.trim() === sourceHash() ? 'current' : 'stale';
}

const surrealDockerfile = (hash: string): string => `FROM ${LOCAL_RUNTIME_IMAGE}
LABEL ${SOURCE_LABEL}=${hash} org.opencontainers.image.title="oya surreal (embedded SurrealDB 3.0.2 engine)"
EXPOSE 8000
ENTRYPOINT ["/usr/local/bin/node", "--import", "tsx", "/oya/harness/env/images/surreal-entry.ts"]
CMD ["start", "--bind", "0.0.0.0:8000", "memory"]
`;
const toxiproxyDockerfile = (hash: string): string => `FROM ${LOCAL_RUNTIME_IMAGE}
LABEL ${SOURCE_LABEL}=${hash} org.opencontainers.image.title="oya toxiproxy (Toxiproxy 2.12-compatible)"
EXPOSE 8474
ENTRYPOINT ["/usr/local/bin/node", "--import", "tsx", "/oya/harness/env/images/toxiproxy-entry.ts"]
CMD ["-host=0.0.0.0"]
`;

async function dockerBuild(tag: string, context: string, env: NodeJS.ProcessEnv): Promise<void> {
  const out = await docker(['build', '--quiet', '--rm', '--force-rm', '-t', tag, context], { env, timeoutMs: BUILD_TIMEOUT_MS });
  if (out.code !== 0) {
    throw new ImagesBuildError(`docker build of ${tag} failed (exit ${out.code}): ${out.stderr.trim().split('\n').slice(-5).join(' | ')}`, { tag });
  }
}

/** Builds the three local images now (under the build lock); returns the source hash they carry. */
export async function buildImages(log: (line: string) => void = () => undefined, env: NodeJS.ProcessEnv = process.env): Promise<string> {
  return withBuildLock(() => buildUnlocked(log, env));
}

/**
 * Makes the images of `names` available without asking a registry for a local build: local
 * builds are (re)built when missing or stale; other names (official images) must be present or
 * pullable — `docker pull` runs only for them, bounded. Returns what it did.
 */
export async function ensureImages(
  names: ImageNames,
  log: (line: string) => void = () => undefined,
  env: NodeJS.ProcessEnv = process.env,
): Promise<{ built: boolean; pulled: string[] }> {
  const pulled: string[] = [];
  for (const name of [names.surreal, names.toxiproxy].filter((n) => !isLocalImage(n))) {
    if ((await imageState(name, env)) !== 'missing') continue;
    log(`pulling ${name}…`);
    const out = await docker(['pull', '--quiet', name], { env, timeoutMs: PULL_TIMEOUT_MS });
    if (out.code !== 0) {
      throw new ImagesBuildError(`${name} is not on this machine and docker pull failed: ${out.stderr.trim().split('\n').pop()}`, { image: name });
    }
    pulled.push(name);
  }
  const local = [names.surreal, names.toxiproxy].filter(isLocalImage);
  const due = async (): Promise<boolean> => (await Promise.all(local.map((n) => imageState(n, env)))).some((s) => s !== 'current');
  if (local.length === 0 || !(await due())) return { built: false, pulled };
  // Re-checked under the lock: another process may have just built them.
  const built = await withBuildLock(async () => ((await due()) ? (await buildUnlocked(log, env), true) : false));
  return { built, pulled };
}

async function buildUnlocked(log: (line: string) => void, env: NodeJS.ProcessEnv): Promise<string> {
  {
    const dir = mkdtempSync(join(tmpdir(), 'oya-images-'));
    try {
      log("staging the rootfs (node, its libraries, the entry points' sources, production node_modules)…");
      const hash = await stageRootfs(join(dir, 'runtime', 'rootfs'));
      writeFileSync(join(dir, 'runtime', 'Dockerfile'), 'FROM scratch\nCOPY rootfs/ /\nENV PATH=/usr/local/bin:/bin NODE_ENV=production\nWORKDIR /oya\n');
      log(`building ${LOCAL_RUNTIME_IMAGE}…`);
      await dockerBuild(LOCAL_RUNTIME_IMAGE, join(dir, 'runtime'), env);
      for (const [tag, dockerfile] of [
        [LOCAL_SURREAL_IMAGE, surrealDockerfile(hash)],
        [LOCAL_TOXIPROXY_IMAGE, toxiproxyDockerfile(hash)],
      ] as const) {
        const context = join(dir, tag.replace(/[/:]/g, '-'));
        mkdirSync(context);
        writeFileSync(join(context, 'Dockerfile'), dockerfile);
        log(`building ${tag}…`);
        await dockerBuild(tag, context, env);
      }
      return hash;
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
}

/**
 * One build at a time on this machine: test files run in separate processes and may all find the
 * images stale at once. A lock left by a dead process is taken over.
 */
async function withBuildLock<T>(fn: () => Promise<T>): Promise<T> {
  const lock = join(tmpdir(), 'oya-images.lock');
  const deadline = Date.now() + BUILD_TIMEOUT_MS;
  for (;;) {
    try {
      closeSync(openSync(lock, 'wx'));
      writeFileSync(lock, String(process.pid));
      break;
    } catch {
      const owner = Number(readFileSync(lock, { encoding: 'utf8', flag: 'a+' }).trim());
      if (owner > 0 && !isProcessRunning(owner)) rmSync(lock, { force: true });
      else if (Date.now() > deadline) throw new ImagesBuildError(`another image build (pid ${owner}) holds ${lock}`, { lock });
      else await new Promise((r) => setTimeout(r, 500));
    }
  }
  try {
    return await fn();
  } finally {
    try {
      unlinkSync(lock);
    } catch {
      /* already gone */
    }
  }
}
