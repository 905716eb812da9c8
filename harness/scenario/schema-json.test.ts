import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { renderSchemaJson, SCHEMA_JSON_PATH } from './generate-schema.ts';
import { loadScenarioFile, loadScenarioText } from './loader.ts';
import { PROFILES } from './sections/profiles.ts';

const SCENARIOS = fileURLToPath(new URL('../../scenarios/', import.meta.url));
const scenarioFiles = readdirSync(SCENARIOS, { recursive: true, encoding: 'utf8' })
  .filter((f) => f.endsWith('.yaml') || f.endsWith('.yml'))
  .sort();

describe('scenarios/schema.json', () => {
  it('is up to date with the zod schema (run `npx tsx harness/scenario/generate-schema.ts`)', () => {
    expect(readFileSync(SCHEMA_JSON_PATH, 'utf8')).toBe(renderSchemaJson());
  });

  it('closes every object (additionalProperties: false), so editors flag unknown keys', () => {
    const open: string[] = [];
    const walk = (node: unknown, at: string): void => {
      if (Array.isArray(node)) node.forEach((n, i) => walk(n, `${at}[${i}]`));
      else if (node && typeof node === 'object') {
        const o = node as Record<string, unknown>;
        if (o.type === 'object' && o.properties && o.additionalProperties !== false) open.push(at);
        for (const [k, v] of Object.entries(o)) walk(v, `${at}.${k}`);
      }
    };
    walk(JSON.parse(readFileSync(SCHEMA_JSON_PATH, 'utf8')), '$');
    expect(open).toEqual([]);
  });
});

describe('scenarios/**/*.yaml', () => {
  it('has at least the example scenarios', () => {
    expect(scenarioFiles).toEqual(expect.arrayContaining(['integration/single-bead.yaml', 'chaos/db-outage.yaml']));
  });

  it.each(scenarioFiles)('%s points editors at the schema and validates under every profile', async (name) => {
    const file = path.join(SCENARIOS, name);
    expect(readFileSync(file, 'utf8').split('\n')[0]).toBe('# yaml-language-server: $schema=../schema.json');
    for (const profile of [undefined, ...PROFILES]) {
      const scenario = await loadScenarioFile(file, { profile });
      expect(scenario.kind).toBe(name.split('/')[0]);
    }
  });
});

describe('harness/scenario/README.md', () => {
  it('has a full example that validates under every profile', () => {
    const readme = readFileSync(fileURLToPath(new URL('./README.md', import.meta.url)), 'utf8');
    const example = /## A full example\s+```yaml\n([\s\S]*?)```/.exec(readme)?.[1];
    expect(example).toBeDefined();
    for (const profile of [undefined, ...PROFILES]) {
      const scenario = loadScenarioText(example!, 'scenarios/chaos/readme-example.yaml', { profile });
      expect(scenario.name).toBe('db-outage-dag');
    }
  });
});
