/**
 * The scenario schema: the single source of truth. TypeScript types are inferred from it and
 * scenarios/schema.json is generated from it (generate-schema.ts). Keys are listed in document
 * order; each comes from its own module under sections/ (one module per YAML key).
 */
import { z } from 'zod';
import { baselineSchema } from './sections/baseline.ts';
import { descriptionSchema } from './sections/description.ts';
import { expectSchema } from './sections/expect.ts';
import { faultsSchema } from './sections/faults.ts';
import { kindSchema } from './sections/kind.ts';
import { leakSchema } from './sections/leak.ts';
import { nameSchema } from './sections/name.ts';
import { profilesSchema, type ProfileName } from './sections/profiles.ts';
import { seedSchema } from './sections/seed.ts';
import { systemSchema } from './sections/system.ts';
import { thresholdsSchema } from './sections/thresholds.ts';
import { timeoutsSchema } from './sections/timeouts.ts';
import { workloadSchema } from './sections/workload.ts';

export const scenarioSchema = z
  .strictObject({
    name: nameSchema,
    kind: kindSchema,
    description: descriptionSchema,
    seed: seedSchema,
    profiles: profilesSchema,
    system: systemSchema,
    workload: workloadSchema,
    faults: faultsSchema,
    expect: expectSchema,
    thresholds: thresholdsSchema,
    baseline: baselineSchema,
    leak: leakSchema,
    timeouts: timeoutsSchema,
  })
  .meta({ title: 'Oya scenario', description: 'A declarative integration, chaos, load or leak scenario. See harness/scenario/README.md.' });

/** The sections in document order: validation runs them in this order. */
export const SECTION_KEYS = Object.keys(scenarioSchema.shape) as (keyof typeof scenarioSchema.shape)[];

/** What a user writes (durations as strings, defaults optional). */
export type Scenario = z.input<typeof scenarioSchema>;

/** A parsed scenario before profile resolution and freezing. */
export type ParsedScenario = z.output<typeof scenarioSchema>;

type DeepReadonly<T> = T extends (infer U)[]
  ? ReadonlyArray<DeepReadonly<U>>
  : T extends Map<infer K, infer V>
    ? ReadonlyMap<K, DeepReadonly<V>>
    : T extends object
      ? { readonly [P in keyof T]: DeepReadonly<T[P]> }
      : T;

/**
 * What the runner consumes: the chosen profile merged in, defaults applied, durations in ms,
 * rates per second, thresholds parsed (with their source text). Deep-frozen.
 */
export type ResolvedScenario = DeepReadonly<
  Omit<ParsedScenario, 'profiles'> & {
    /** The profile merged in, or undefined for the base document. */
    profile: ProfileName | undefined;
    /** The file it was loaded from, as given to the loader. */
    file: string;
  }
>;

/** JSON Schema (draft 2020-12) for editors, from the input side of the zod schema. */
export function scenarioJsonSchema(): Record<string, unknown> {
  const schema = z.toJSONSchema(scenarioSchema, { io: 'input', target: 'draft-2020-12' }) as Record<string, unknown>;
  return { ...schema, $id: 'https://oya.dev/schemas/scenario.json' };
}
