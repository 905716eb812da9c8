/**
 * Stages the root filesystem of the local images without any registry: this machine's own `node`
 * binary and the shared libraries `ldd` lists, a shell and the few tools `diskFull.fill()` runs
 * (`sh`, `dd`, `stat`, `sync`, `rm`), the import closure of the two entry points from this
 * checkout, and the production packages of package-lock.json from node_modules.
 */
import { createHash } from 'node:crypto';
import { copyFileSync, cpSync, existsSync, mkdirSync, readFileSync, realpathSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { run } from './docker.ts';
import { ImagesBuildError } from './errors.ts';

/** Root of this checkout. */
export const CHECKOUT = resolve(fileURLToPath(new URL('../../..', import.meta.url)));
/**
 * Entry points of the images, relative to the checkout; surreal/main.ts too, because spawn.ts
 * starts it by path (`new URL('./main.ts', import.meta.url)`), not by import.
 */
export const ENTRIES = ['harness/env/images/surreal-entry.ts', 'harness/env/images/toxiproxy-entry.ts', 'harness/env/surreal/main.ts'];
/** Tools diskFull.fill()/free() run inside the SurrealDB container. */
const TOOLS = ['sh', 'dd', 'stat', 'sync', 'rm', 'cat'];
/** Bumped when the image layout changes, so old images count as stale. */
const LAYOUT_VERSION = '1';

/** Every checkout file the entries import (relative `import`/`export … from` specifiers, followed). */
export function importClosure(entries: string[] = ENTRIES, root = CHECKOUT): string[] {
  const seen = new Set<string>();
  const queue = entries.map((e) => resolve(root, e));
  const specifier = /(?:import|export)\s[^'"]*?from\s*['"](\.[^'"]+)['"]|import\s*\(?\s*['"](\.[^'"]+)['"]/g;
  while (queue.length > 0) {
    const file = queue.pop()!;
    if (seen.has(file)) continue;
    if (!existsSync(file)) throw new ImagesBuildError(`import closure: ${relative(root, file)} does not exist`, { file });
    seen.add(file);
    for (const match of readFileSync(file, 'utf8').matchAll(specifier)) queue.push(resolve(dirname(file), match[1] ?? match[2]!));
  }
  return [...seen].map((f) => relative(root, f)).sort();
}

/** node_modules paths of the production packages (package-lock.json, dev ones left out). */
export function productionPackages(root = CHECKOUT): string[] {
  const lock = JSON.parse(readFileSync(join(root, 'package-lock.json'), 'utf8')) as { packages: Record<string, { dev?: boolean }> };
  return Object.entries(lock.packages)
    .filter(([path, meta]) => path.startsWith('node_modules/') && !meta.dev && existsSync(join(root, path)))
    .map(([path]) => path)
    .sort();
}

/** Identifies what the images are built from: a rebuild is due when this changes. */
export function sourceHash(root = CHECKOUT): string {
  const hash = createHash('sha256').update(`layout ${LAYOUT_VERSION} node ${process.version} ${process.arch}\n`);
  for (const file of [...importClosure(ENTRIES, root), 'package-lock.json']) hash.update(`${file}\n`).update(readFileSync(join(root, file)));
  return hash.digest('hex').slice(0, 16);
}

/** A native addon built for another platform than this one (skipped: @surrealdb/node ships eight). */
function foreignAddon(file: string): boolean {
  if (!file.endsWith('.node')) return false;
  const name = file.slice(file.lastIndexOf('/') + 1);
  if (!/(darwin|win32|linux|freebsd|android)-/.test(name)) return false;
  return !name.includes(`${process.platform}-${process.arch}`) || name.includes('musl');
}

async function sharedLibraries(binary: string): Promise<string[]> {
  const out = await run('ldd', [binary]);
  if (out.code !== 0) return []; // statically linked
  return [...out.stdout.matchAll(/(\/\S+)\s+\(0x/g)].map((m) => m[1]!);
}

/** Copies `path` (symlinks resolved) to the same absolute path under rootfs. */
function copyHostFile(rootfs: string, path: string): void {
  const target = join(rootfs, path);
  mkdirSync(dirname(target), { recursive: true });
  copyFileSync(realpathSync(path), target);
}

/** Writes the rootfs into `dir` (which must be empty or absent); returns the source hash. */
export async function stageRootfs(dir: string, root = CHECKOUT): Promise<string> {
  const binaries = [process.execPath, ...TOOLS.map((t) => which(t))];
  const addon = join(root, 'node_modules/@surrealdb/node/dist', `surrealdb-node.${process.platform}-${process.arch}-gnu.node`);
  const libraries = new Set<string>();
  for (const binary of [...binaries, ...(existsSync(addon) ? [addon] : [])]) for (const lib of await sharedLibraries(binary)) libraries.add(lib);
  for (const lib of libraries) copyHostFile(dir, lib);
  mkdirSync(join(dir, 'usr/local/bin'), { recursive: true });
  copyFileSync(process.execPath, join(dir, 'usr/local/bin/node'));
  for (const [tool, path] of TOOLS.map((t) => [t, which(t)] as const)) {
    mkdirSync(join(dir, 'bin'), { recursive: true });
    copyFileSync(realpathSync(path), join(dir, 'bin', tool));
  }
  mkdirSync(join(dir, 'tmp'), { recursive: true, mode: 0o1777 });
  mkdirSync(join(dir, 'data'), { recursive: true, mode: 0o1777 });
  mkdirSync(join(dir, 'etc'), { recursive: true });
  writeFileSync(join(dir, 'etc/passwd'), 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/sh\n');
  writeFileSync(join(dir, 'etc/group'), 'root:x:0:\nnogroup:x:65534:\n');
  const app = join(dir, 'oya');
  for (const file of [...importClosure(ENTRIES, root), 'package.json', 'package-lock.json', 'tsconfig.json']) {
    mkdirSync(dirname(join(app, file)), { recursive: true });
    copyFileSync(join(root, file), join(app, file));
  }
  for (const pkg of productionPackages(root)) {
    const filter = (src: string) => !foreignAddon(src) && !src.includes(`${pkg}/node_modules/`);
    cpSync(join(root, pkg), join(app, pkg), { recursive: true, dereference: true, filter });
  }
  return sourceHash(root);
}

function which(tool: string): string {
  for (const dir of ['/usr/bin', '/bin', '/usr/local/bin']) if (existsSync(join(dir, tool))) return join(dir, tool);
  throw new ImagesBuildError(`"${tool}" is not installed on this machine; the SurrealDB image needs it for diskFull`, { tool });
}
