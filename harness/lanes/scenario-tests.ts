/**
 * The Vite plugin that makes scenario files Vitest test files. A lane's project includes
 * `scenarios/<kind>/*.yaml`; this plugin turns each into a two-line module that registers the
 * scenario's tests (lane.ts defineScenarioFile) with the lane's options. Why files and not one
 * lane file that loops over the folder: Vitest filters, reports, retries and — the point —
 * shards by FILE (`--shard=i/n` over CI machines), so the scenario has to be the file.
 *
 * The YAML itself is not parsed here: defineScenarioFile loads it with the harness's own
 * validator at run time, so an invalid file fails its test with file:line and field path instead
 * of failing Vitest's collection.
 */
import { isAbsolute, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Plugin } from 'vite';
import type { LaneOptions } from './lane.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const LANE_MODULE = fileURLToPath(new URL('./lane.ts', import.meta.url));
const SCENARIO_FILE = /\.ya?ml$/;

/** True for a YAML file under scenarios/ (the only modules the plugin rewrites). */
export function isScenarioFile(id: string): boolean {
  const path = id.split('?')[0]!;
  if (!SCENARIO_FILE.test(path) || !isAbsolute(path)) return false;
  const rel = relative(join(ROOT, 'scenarios'), path);
  return !rel.startsWith('..') && !isAbsolute(rel);
}

/** The module a scenario file becomes. */
export function scenarioTestModule(file: string, options: LaneOptions): string {
  return `import { defineScenarioFile } from ${JSON.stringify(LANE_MODULE)};\nawait defineScenarioFile(${JSON.stringify(file)}, ${JSON.stringify(options)});\n`;
}

/** One per lane project: `plugins: [scenarioTests({ ciSeeds: 2, env: 'local' })]`. */
export function scenarioTests(options: LaneOptions = {}): Plugin {
  return {
    name: 'oya:scenario-tests',
    enforce: 'pre',
    transform(_code, id) {
      if (!isScenarioFile(id)) return null;
      return { code: scenarioTestModule(id.split('?')[0]!, options), map: null };
    },
  };
}
