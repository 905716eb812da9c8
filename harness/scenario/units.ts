/**
 * Units used in scenario files: durations (`500ms`, `10s`, `1m30s`), rates (`10/s`, `600/m`),
 * sizes (`512MB`) and percentages (`5%`). Each is written as a string in YAML and parsed once,
 * at load, into one canonical number: milliseconds, events per second, bytes, a fraction 0..1.
 *
 * Parsers throw UnitSyntaxError, whose message names the bad value and the allowed forms; the
 * zod schemas below turn that into a scenario issue at the field's path and line.
 */
import { z } from 'zod';

/** Raised by the parse* functions; the loader reports it as a field issue, never on its own. */
export class UnitSyntaxError extends Error {}

const NUMBER = String.raw`\d+(?:\.\d+)?`;

// Units in descending size, each at most once: `1h30m`, `2m5s`, `1s500ms`.
const DURATION_UNITS = [
  ['h', 3_600_000],
  ['m', 60_000],
  ['s', 1_000],
  ['ms', 1],
] as const;

/** The JSON Schema pattern editors use; the parser below accepts exactly the same strings. */
export const DURATION_PATTERN = `^(?=\\d)(?:${NUMBER}h)?(?:${NUMBER}m(?!s))?(?:${NUMBER}s)?(?:${NUMBER}ms)?$`;
const DURATION_RE = new RegExp(DURATION_PATTERN);
export const DURATION_FORMS = '500ms, 10s, 2m, 1h, 1m30s (units h, m, s, ms, largest first)';

/** Parses `1m30s` into 90000 (ms). Throws UnitSyntaxError naming the value and allowed forms. */
export function parseDuration(text: string): number {
  const trimmed = text.trim();
  if (!DURATION_RE.test(trimmed)) {
    throw new UnitSyntaxError(`"${text}" is not a duration; write it as ${DURATION_FORMS}`);
  }
  let ms = 0;
  for (const match of trimmed.matchAll(new RegExp(`(${NUMBER})(ms|h|m|s)`, 'g'))) {
    const factor = DURATION_UNITS.find(([unit]) => unit === match[2])![1];
    ms += Number(match[1]) * factor;
  }
  return ms;
}

/** Formats milliseconds as the shortest canonical duration string, e.g. 90000 → `1m30s`. */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) throw new RangeError(`cannot format duration ${ms}`);
  if (ms === 0) return '0s';
  let rest = ms;
  let out = '';
  for (const [unit, factor] of DURATION_UNITS) {
    const whole = unit === 'ms' ? rest : Math.floor(rest / factor);
    if (whole > 0) out += `${unit === 'ms' ? Number(whole.toFixed(3)) : whole}${unit}`;
    rest -= whole * factor;
  }
  return out;
}

const RATE_UNITS = { s: 1, m: 60, h: 3600 } as const;
export const RATE_PATTERN = `^${NUMBER}/(?:s|m|h)$`;
export const RATE_FORMS = '10/s, 600/m, 50/h (a count per second, minute or hour)';

/** Parses `600/m` into 10 (per second). */
export function parseRate(text: string): number {
  const match = new RegExp(`^(${NUMBER})/(s|m|h)$`).exec(text.trim());
  if (!match) throw new UnitSyntaxError(`"${text}" is not a rate; write it as ${RATE_FORMS}`);
  const perSecond = Number(match[1]) / RATE_UNITS[match[2] as keyof typeof RATE_UNITS];
  if (perSecond <= 0) throw new UnitSyntaxError(`"${text}" is not a rate: it must be above zero`);
  return perSecond;
}

/** Formats a per-second rate in the unit that gives the most readable number. */
export function formatRate(perSecond: number): string {
  if (perSecond >= 1) return `${round(perSecond)}/s`;
  if (perSecond * 60 >= 1) return `${round(perSecond * 60)}/m`;
  return `${round(perSecond * 3600)}/h`;
}

const BYTE_UNITS = { B: 1, KB: 1e3, MB: 1e6, GB: 1e9, KiB: 1024, MiB: 1024 ** 2, GiB: 1024 ** 3 } as const;
export const BYTES_FORMS = '512B, 64KB, 300MB, 2GB, 256MiB';

/** Parses `300MB` into 300000000 (bytes). */
export function parseBytes(text: string): number {
  const match = new RegExp(`^(${NUMBER})(B|KB|MB|GB|KiB|MiB|GiB)$`).exec(text.trim());
  if (!match) throw new UnitSyntaxError(`"${text}" is not a size; write it as ${BYTES_FORMS}`);
  return Number(match[1]) * BYTE_UNITS[match[2] as keyof typeof BYTE_UNITS];
}

/** Formats bytes with decimal units (matches what `parseBytes` reads back). */
export function formatBytes(bytes: number): string {
  for (const unit of ['GB', 'MB', 'KB'] as const) {
    if (Math.abs(bytes) >= BYTE_UNITS[unit]) return `${round(bytes / BYTE_UNITS[unit])}${unit}`;
  }
  return `${round(bytes)}B`;
}

/** Parses `5%` into 0.05. */
export function parsePercent(text: string): number {
  const match = new RegExp(`^(${NUMBER})%$`).exec(text.trim());
  if (!match) throw new UnitSyntaxError(`"${text}" is not a percentage; write it as 5% or 0.5%`);
  return Number(match[1]) / 100;
}

/** Formats a fraction as a percentage, 0.05 → `5%`. */
export function formatPercent(fraction: number): string {
  return `${round(fraction * 100)}%`;
}

function round(n: number): number {
  return Number(n.toFixed(3));
}

function describeInput(input: unknown): string {
  return typeof input === 'string' ? `"${input}"` : `${JSON.stringify(input)} (a ${typeof input})`;
}

/**
 * A duration field: a string in YAML, milliseconds after parsing. A bare number is refused with
 * a hint, because `for: 10` could mean seconds or milliseconds and scenarios must not guess.
 */
export const durationSchema = z
  .string({
    error: (iss) =>
      typeof iss.input === 'number'
        ? `${iss.input} has no unit; durations are strings such as ${iss.input}s or ${iss.input}ms (allowed: ${DURATION_FORMS})`
        : `expected a duration such as ${DURATION_FORMS}, got ${describeInput(iss.input)}`,
  })
  .regex(DURATION_RE, { error: (iss) => `${describeInput(iss.input)} is not a duration; write it as ${DURATION_FORMS}` })
  .transform((text) => parseDuration(text))
  .meta({ id: 'Duration', description: `A duration: ${DURATION_FORMS}.`, examples: ['500ms', '10s', '2m', '1m30s'] });

/** A rate field: `10/s` in YAML, events per second after parsing. */
export const rateSchema = z
  .string({ error: (iss) => `expected a rate such as ${RATE_FORMS}, got ${describeInput(iss.input)}` })
  .regex(new RegExp(RATE_PATTERN), { error: (iss) => `${describeInput(iss.input)} is not a rate; write it as ${RATE_FORMS}` })
  .transform((text, ctx) => {
    const perSecond = Number(text.split('/')[0]);
    if (perSecond <= 0) {
      ctx.addIssue({ code: 'custom', message: `"${text}" is not a rate: it must be above zero` });
      return z.NEVER;
    }
    return parseRate(text);
  })
  .meta({ id: 'Rate', description: `An arrival rate: ${RATE_FORMS}.`, examples: ['10/s', '600/m'] });

/** A share of items, 0..1 (e.g. `duplicates: 0.1` re-sends one submission in ten). */
export const fractionSchema = z.number().min(0).max(1).meta({ description: 'A fraction between 0 and 1.' });
