/**
 * Validates a scenario document section by section, in document order (chaostoolkit's
 * `ensure_*_is_valid` per key): first each section's zod schema, then each section's
 * cross-field checks, then every declared profile merged into the base. All issues are
 * collected, so a user fixes a file in one pass rather than one error at a time.
 */
import type { z } from 'zod';
import { SECTION_KEYS, scenarioSchema, type ParsedScenario } from './schema.ts';
import { checkArrivals } from './sections/arrivals.ts';
import { checkExpect } from './sections/expect.ts';
import { checkFaults, faultSchema } from './sections/faults.ts';
import type { PathSegment, RawIssue } from './sections/issue.ts';
import { checkKind } from './sections/kind.ts';
import { checkLeak } from './sections/leak.ts';
import { PROFILES, mergeOverride, overrideHas, type ProfileName } from './sections/profiles.ts';
import { agentDefaultsSchema, checkSystem, systemSchema } from './sections/system.ts';
import { checkThresholds, thresholdsSchema } from './sections/thresholds.ts';
import { checkTimeouts } from './sections/timeouts.ts';
import { checkWorkload, indexWorkload, phaseSchema } from './sections/workload.ts';
import { didYouMean } from './suggest.ts';

/** A raw issue plus whether it points at a key (unknown keys) rather than a value. */
export interface PathIssue extends RawIssue {
  atKey?: boolean;
}

export interface ValidationResult {
  /** Defined only when there are no issues. */
  value: ParsedScenario | undefined;
  issues: PathIssue[];
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Validates the base document and every profile in it. */
export function validateScenarioValue(raw: unknown, file: string): ValidationResult {
  const base = validateOnce(raw, file);
  const issues = [...base.issues];
  const profiles = isPlainObject(raw) && isPlainObject(raw.profiles) ? raw.profiles : {};
  for (const profile of PROFILES) {
    if (profiles[profile] === undefined) continue;
    for (const issue of validateProfile(raw, profile, file).issues) {
      // The override was already checked on its own (the profiles section); one issue per path is enough.
      const inOverride = issue.path[0] === 'profiles';
      if (!issues.some((i) => samePath(i.path, issue.path) && (inOverride || i.message === issue.message))) issues.push(issue);
    }
  }
  return { value: issues.length === 0 ? base.value : undefined, issues };
}

/**
 * Validates the document with one profile merged in. Issues inside the override are reported at
 * `profiles.<name>.…`; issues the merge causes elsewhere keep their base path, tagged with the profile.
 */
export function validateProfile(raw: unknown, profile: ProfileName, file: string): ValidationResult {
  if (!isPlainObject(raw)) return validateOnce(raw, file);
  const override = isPlainObject(raw.profiles) ? raw.profiles[profile] : undefined;
  const { profiles: _ignored, ...rest } = raw;
  const merged = { ...(mergeOverride(rest, override) as Record<string, unknown>), profiles: undefined };
  const result = validateOnce(merged, file);
  const issues = result.issues.map((issue) =>
    overrideHas(override, issue.path)
      ? { ...issue, path: ['profiles', profile, ...issue.path] }
      : { ...issue, message: `${issue.message} (with profile ${profile})` },
  );
  return { value: issues.length === 0 ? result.value : undefined, issues };
}

function validateOnce(raw: unknown, file: string): ValidationResult {
  if (!isPlainObject(raw)) {
    return { value: undefined, issues: [{ path: [], message: 'a scenario is a YAML mapping with at least name, kind and workload' }] };
  }
  const issues: PathIssue[] = [];
  for (const key of Object.keys(raw)) {
    if (!(SECTION_KEYS as string[]).includes(key)) issues.push({ path: [key], atKey: true, message: unknownKeyMessage(key, SECTION_KEYS) });
  }

  // Stage 1: each section on its own, in document order.
  const parsed: Record<string, unknown> = {};
  const ok = new Set<string>();
  for (const key of SECTION_KEYS) {
    const result = scenarioSchema.shape[key].safeParse(raw[key], { reportInput: true });
    if (result.success) {
      parsed[key] = result.data;
      ok.add(key);
    } else {
      issues.push(...fromZod(result.error, [key], raw[key]));
    }
  }

  // Stage 2: cross-field checks, each run when the sections it reads are valid. A list section
  // with an invalid element (a phase, a fault) is still checked over its valid elements, so one
  // pass shows a bad field in one phase and a dangling dependsOn in another.
  const p = parsed as Partial<ParsedScenario>;
  if (ok.has('kind')) issues.push(...checkKind(p.kind!, file));
  if (ok.has('system')) issues.push(...checkSystem(p.system!));
  // What the other checks read of system, taken field by field when system as a whole is invalid.
  const rawSystem = isPlainObject(raw.system) ? raw.system : {};
  const steps = ok.has('system') ? p.system!.agent.steps : parsedAlone(agentDefaultsSchema, rawSystem.agent)?.steps;
  const admin = ok.has('system') ? p.system!.admin : parsedAlone(systemSchema.unwrap().shape.admin, rawSystem.admin);
  const workload = ok.has('workload') ? p.workload : validElements(phaseSchema, raw.workload);
  if (workload !== undefined && steps !== undefined) issues.push(...checkWorkload(workload, steps));
  const index = ok.has('workload') ? indexWorkload(p.workload!) : undefined;
  const faults = ok.has('faults') ? p.faults : validElements(faultSchema, raw.faults);
  if (faults !== undefined && ok.has('timeouts') && admin !== undefined) {
    issues.push(...checkFaults(faults, { totalMs: p.timeouts!.total, drainMs: p.timeouts!.drain, admin, workload: index, kind: p.kind }));
  }
  if (ok.has('expect') && index) issues.push(...checkExpect(p.expect!, index));
  // The thresholds that parse are judged even when another does not; what the workload can
  // measure, only on a valid workload (a broken one is reported already).
  const thresholds = ok.has('thresholds') ? p.thresholds : validEntries(thresholdsSchema, raw.thresholds);
  if (thresholds !== undefined && ok.has('faults')) issues.push(...checkThresholds(thresholds, p.faults!, ok.has('workload') ? p.workload : undefined));
  if (ok.has('timeouts')) issues.push(...checkTimeouts(p.timeouts!));
  if (ok.has('timeouts') && ok.has('workload')) issues.push(...checkArrivals(p.workload!, p.timeouts!.total));
  if (ok.has('leak') && ok.has('kind')) issues.push(...checkLeak(p.leak, p.kind!));

  return { value: issues.length === 0 ? (parsed as ParsedScenario) : undefined, issues };
}

/** `value` parsed by `schema`, or undefined when it does not parse. */
function parsedAlone<T>(schema: z.ZodType<T>, value: unknown): T | undefined {
  const result = schema.safeParse(value);
  return result.success ? result.data : undefined;
}

/**
 * The elements of a list section that parse on their own, at their own indices, with holes where
 * an element is invalid (its issues are already reported); undefined when the section is not a
 * list. The checks given it iterate with forEach, which skips holes, so issue paths keep the
 * file's indices. Fewer elements can only hide a cross-element issue (two phases of one name),
 * never invent one; checks that read another section's view of this one (a fault's target bead,
 * expect's counts) still wait for the whole section.
 */
function validElements<T>(schema: z.ZodType<T>, section: unknown): T[] | undefined {
  if (!Array.isArray(section)) return undefined;
  const out = new Array<T>(section.length);
  section.forEach((element, i) => {
    const result = schema.safeParse(element);
    if (result.success) out[i] = result.data;
  });
  return out;
}

/**
 * The entries of a record section that parse on their own (each key with its value, alone), as
 * validElements does for lists; undefined when the section is not a mapping.
 */
function validEntries<T extends object>(schema: z.ZodType<T>, section: unknown): T | undefined {
  if (!isPlainObject(section)) return undefined;
  const out = {} as T;
  for (const [key, value] of Object.entries(section)) {
    const result = schema.safeParse({ [key]: value });
    if (result.success) Object.assign(out, result.data);
  }
  return out;
}

/** Turns zod issues into path issues: one per unknown key, record-key messages unwrapped. */
function fromZod(error: z.ZodError, prefix: PathSegment[], rawSection: unknown): PathIssue[] {
  const out: PathIssue[] = [];
  for (const issue of error.issues) {
    const path = [...prefix, ...(issue.path as PathSegment[])];
    if (issue.code === 'unrecognized_keys') {
      const allowed = allowedKeysAt(scenarioSchema.shape[prefix[0] as keyof typeof scenarioSchema.shape], rawSection, issue.path as PathSegment[]);
      for (const key of issue.keys) out.push({ path: [...path, key], atKey: true, message: unknownKeyMessage(key, allowed) });
    } else if (issue.code === 'invalid_key') {
      const inner = issue.issues.map((i) => i.message).join('; ');
      out.push({ path, atKey: true, message: `bad key ${JSON.stringify(issue.path.at(-1))}: ${inner}` });
    } else if (issue.code === 'invalid_type' && issue.message.startsWith('Invalid input')) {
      // zod's default says "received string"; the value itself is more useful.
      out.push({ path, message: `expected ${issue.expected}, got ${describe(issue.input)}` });
    } else if ((issue.code === 'too_small' || issue.code === 'too_big') && issue.input !== undefined && typeof issue.input !== 'object') {
      out.push({ path, message: `${issue.message} (got ${describe(issue.input)})` });
    } else {
      out.push({ path, message: issue.message });
    }
  }
  return out;
}

/** `unknown key "lantency"; did you mean "latency"? (allowed: …)`. */
function unknownKeyMessage(key: string, allowed: readonly string[]): string {
  return `unknown key "${key}"${didYouMean(key, allowed)} (allowed: ${allowed.join(', ') || 'none'})`;
}

/** Walks the zod schema along `path` (following the raw value for unions) and lists the object keys there. */
function allowedKeysAt(schema: z.ZodType, raw: unknown, path: readonly PathSegment[]): string[] {
  let node: unknown = schema;
  let value = raw;
  let i = 0;
  for (let guard = 0; guard < 64; guard++) {
    const def = (node as { _zod: { def: Record<string, unknown> & { type: string } } })._zod.def;
    if (['optional', 'default', 'prefault', 'nullable', 'readonly'].includes(def.type)) node = def.innerType;
    else if (def.type === 'pipe') node = def.in;
    else if (def.type === 'union') {
      const options = def.options as z.ZodType[];
      const disc = def.discriminator as string | undefined;
      const wanted = isPlainObject(value) && disc ? value[disc] : undefined;
      node = options.find((o) => allowedKeysAt(o, undefined, []).length > 0 && literalOf(o, disc) === wanted) ?? options[0];
    } else if (i < path.length && def.type === 'object') {
      node = (def.shape as Record<string, unknown>)[path[i] as string];
      value = isPlainObject(value) ? value[path[i] as string] : undefined;
      i++;
    } else if (i < path.length && def.type === 'array') {
      node = def.element;
      value = Array.isArray(value) ? value[path[i] as number] : undefined;
      i++;
    } else if (i < path.length && def.type === 'record') {
      node = def.valueType;
      value = isPlainObject(value) ? value[path[i] as string] : undefined;
      i++;
    } else {
      return def.type === 'object' ? Object.keys(def.shape as object) : [];
    }
    if (node === undefined) return [];
  }
  return [];
}

function literalOf(schema: z.ZodType, key: string | undefined): unknown {
  if (!key) return undefined;
  const shape = (schema as unknown as { _zod: { def: { shape?: Record<string, { _zod: { def: { values?: unknown[] } } }> } } })._zod.def.shape;
  return shape?.[key]?._zod.def.values?.[0];
}

function describe(value: unknown): string {
  if (value === undefined) return 'nothing (the key is missing or empty)';
  if (value === null) return 'null (an empty value)';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  return JSON.stringify(value);
}

function samePath(a: readonly PathSegment[], b: readonly PathSegment[]): boolean {
  return a.length === b.length && a.every((s, i) => s === b[i]);
}
