/**
 * Writes scenarios/schema.json from the zod scenario schema. Run after changing any section:
 *   npx tsx harness/scenario/generate-schema.ts
 * A unit test (schema-json.test.ts) fails when the checked-in file is stale.
 */
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { scenarioJsonSchema } from './schema.ts';

/** Where the generated schema lives; scenario files point at it with a yaml-language-server comment. */
export const SCHEMA_JSON_PATH = fileURLToPath(new URL('../../scenarios/schema.json', import.meta.url));

/** The exact text written to schema.json (stable key order, trailing newline). */
export function renderSchemaJson(): string {
  return `${JSON.stringify(scenarioJsonSchema(), null, 2)}\n`;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  writeFileSync(SCHEMA_JSON_PATH, renderSchemaJson());
  console.log(`wrote ${SCHEMA_JSON_PATH}`);
}
