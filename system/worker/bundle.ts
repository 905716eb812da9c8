/**
 * The worker's JavaScript bundle: workers run `dist/worker.cjs`, one esbuild bundle of main.ts
 * and everything it imports, so a worker process never loads the TypeScript loader (tsx and its
 * esbuild service cost each of 20 workers ~30 MiB of RSS and part of every start).
 *
 * Built by `npm ci` / `npm install` (the root `prepare` script runs this file) and, when missing
 * or older than any of its sources, again at the first spawn of a process (~100 ms, once): an
 * edited checkout never runs a stale worker. `OYA_WORKER_TS=1` runs main.ts through tsx instead
 * (development: stack traces point at the .ts lines without a source map).
 *
 * Concurrent builders (parallel test files, several orchestrators) each write temp files and
 * rename them into place, so a reader sees an old complete bundle or a new complete one.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const HERE = dirname(fileURLToPath(import.meta.url));
const ROOT = resolve(HERE, '../..');
const ENTRY = join(HERE, 'main.ts');
/** The bundle the pool forks. CommonJS: the ESM loader alone costs a worker ~2 MiB of RSS. */
export const WORKER_BUNDLE_PATH = join(HERE, 'dist', 'worker.cjs');
/** The sources the bundle was built from (relative to the repo root), to tell when it is stale. */
const INPUTS_PATH = join(HERE, 'dist', 'worker.inputs.json');

/** How to start a worker process: the module to fork and the Node flags it needs. */
export interface WorkerEntry {
  path: string;
  execArgv: string[];
  /** `bundle` (compiled JavaScript) or `tsx` (development). */
  kind: 'bundle' | 'tsx';
}

/**
 * V8 flags of every worker process.
 *
 * `--max-semi-space-size=1` (MiB): V8 grows the young generation's semi-spaces up to 16 MiB each
 * under a steady allocation rate, and a worker allocates a little per request for as long as it
 * lives; that growth, not a leak, is what made worker RSS climb in the one-hour soak (46 -> 60
 * MiB). Measured over 4,000 beads on one worker (system/bench/README.md): the live heap after
 * each mark-compact stays at ~4.9 MiB with or without the flag, while RSS reaches ~78 MiB by
 * default and ~62 MiB with it; the extra scavenges are within the noise of the run's time.
 *
 * `--lite-mode` (V8's memory-for-speed trade: `--jitless` and `--optimize-for-size`): no
 * machine code is generated at run time (bytecode only), so neither the compilers' pages of the
 * node binary nor their code objects are ever touched. A worker's JavaScript is a thin layer over node:http and fs (the work is in C++),
 * so it costs no time here: measured side by side in one run (system/worker/README.md "Memory"),
 * CPU per bead and the bench's prompt → idle latency stayed within the run-to-run noise, while
 * RSS after 1,000 beads fell from ~58 to ~50 MiB and an idle worker's by 1 MiB.
 * `--no-expose-wasm`: lite mode has no WebAssembly (nothing in a worker uses it), and without
 * this flag V8 prints a warning on every start that Node's default `--expose-wasm` conflicts.
 */
export const WORKER_NODE_FLAGS: readonly string[] = ['--max-semi-space-size=1', '--lite-mode', '--no-expose-wasm'];

let entry: WorkerEntry | undefined;

/** The entry every spawn uses, decided (and the bundle built if needed) once per process. */
export function workerEntry(env: NodeJS.ProcessEnv = process.env): WorkerEntry {
  if (entry !== undefined) return entry;
  if (env.OYA_WORKER_TS === '1') {
    const tsx = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
    entry = { path: ENTRY, execArgv: [...WORKER_NODE_FLAGS, '--import', tsx], kind: 'tsx' };
  } else {
    if (!isFresh()) buildWorkerBundle();
    entry = { path: WORKER_BUNDLE_PATH, execArgv: [...WORKER_NODE_FLAGS], kind: 'bundle' };
  }
  return entry;
}

/** True when the bundle exists and none of its sources changed after it was written. */
export function isFresh(): boolean {
  if (!existsSync(WORKER_BUNDLE_PATH) || !existsSync(INPUTS_PATH)) return false;
  const builtAt = statSync(WORKER_BUNDLE_PATH).mtimeMs;
  try {
    const inputs = JSON.parse(readFileSync(INPUTS_PATH, 'utf8')) as string[];
    return inputs.every((input) => statSync(join(ROOT, input)).mtimeMs <= builtAt);
  } catch {
    return false; // a source was deleted or the list is unreadable: rebuild
  }
}

/** Bundles main.ts into WORKER_BUNDLE_PATH (synchronously: esbuild's buildSync). */
export function buildWorkerBundle(): void {
  // Loaded only here: a fresh bundle needs no esbuild in the orchestrator either.
  const esbuild = createRequire(import.meta.url)('esbuild') as typeof import('esbuild');
  mkdirSync(dirname(WORKER_BUNDLE_PATH), { recursive: true });
  const tmp = `${WORKER_BUNDLE_PATH}.${process.pid}.${Date.now()}.tmp`;
  const result = esbuild.buildSync({
    entryPoints: [ENTRY],
    outfile: tmp,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    metafile: true,
    logLevel: 'silent',
    legalComments: 'none',
  });
  const inputs = Object.keys(result.metafile.inputs).map((input) => relative(ROOT, resolve(process.cwd(), input)));
  const inputsTmp = `${INPUTS_PATH}.${process.pid}.tmp`;
  writeFileSync(inputsTmp, JSON.stringify(inputs));
  renameSync(tmp, WORKER_BUNDLE_PATH);
  renameSync(inputsTmp, INPUTS_PATH);
}

// `node --import tsx system/worker/bundle.ts` (the `prepare` script): build now.
if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  buildWorkerBundle();
  process.stdout.write(`worker bundle: ${relative(ROOT, WORKER_BUNDLE_PATH)}\n`);
}
