/**
 * `profiles`: per-profile overrides, e.g. a short `ci` run and a long `full` one. An override
 * may set seed, system, workload, faults, expect, thresholds, leak and timeouts. It is merged into the
 * base document before validation: mappings merge key by key, lists (workload, faults, defects)
 * replace the base list whole. Every declared profile is validated at load, whichever is chosen.
 */
import { z } from 'zod';
import { expectSchema } from './expect.ts';
import { faultsSchema } from './faults.ts';
import { leakSchema } from './leak.ts';
import { seedSchema } from './seed.ts';
import { systemSchema } from './system.ts';
import { thresholdsSchema } from './thresholds.ts';
import { timeoutsSchema } from './timeouts.ts';
import { workloadSchema } from './workload.ts';

export const PROFILES = ['ci', 'full'] as const;
export type ProfileName = (typeof PROFILES)[number];

/** Sections a profile may override. */
export const OVERRIDABLE = ['seed', 'system', 'workload', 'faults', 'expect', 'thresholds', 'leak', 'timeouts'] as const;

const overrideSchema = z
  .strictObject({
    seed: seedSchema.optional(),
    system: systemSchema.optional(),
    workload: workloadSchema.optional(),
    faults: faultsSchema.optional(),
    expect: expectSchema.optional(),
    thresholds: thresholdsSchema.optional(),
    leak: leakSchema,
    timeouts: timeoutsSchema.optional(),
  })
  .meta({ description: 'Overrides merged into the base scenario: mappings merge, lists replace.' });

export const profilesSchema = z
  .strictObject({
    ci: overrideSchema.optional().meta({ description: 'Used when OYA_PROFILE=ci (short runs for every push).' }),
    full: overrideSchema.optional().meta({ description: 'Used when OYA_PROFILE=full (long nightly runs).' }),
  })
  .optional()
  .meta({ description: 'Per-profile overrides of durations, counts and limits.' });

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Merges raw YAML values: mappings key by key (recursively), anything else replaced. */
export function mergeOverride(base: unknown, override: unknown): unknown {
  if (override === undefined) return base;
  if (!isPlainObject(base) || !isPlainObject(override)) return override;
  const out: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(override)) out[key] = key in base ? mergeOverride(base[key], value) : value;
  return out;
}

/** True when `path` leads to a value written in `override` (so an issue there belongs to the profile). */
export function overrideHas(override: unknown, path: ReadonlyArray<string | number>): boolean {
  let node = override;
  for (const segment of path) {
    if (Array.isArray(node) || isPlainObject(node)) {
      if (!(segment in node)) return false;
      node = (node as Record<string | number, unknown>)[segment];
      // A list in an override replaces the base list whole: everything under it is the profile's.
      if (Array.isArray(node)) return true;
    } else {
      return false;
    }
  }
  return true;
}
