/**
 * Flag parsing shared by every `oya` command: node:util's parseArgs in strict mode (unknown flags
 * and missing values are errors), its errors turned into CliUsageError (exit 2 with a pointer to
 * --help), and the integer check most commands need.
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { CliUsageError } from './errors.ts';

type Options = NonNullable<ParseArgsConfig['options']>;

/** Parses `argv` strictly against `options`; throws CliUsageError naming the bad flag. */
export function parseFlags<const O extends Options, const P extends boolean = false>(command: string, argv: string[], options: O, allowPositionals?: P) {
  try {
    return parseArgs({ args: argv, options, strict: true, allowPositionals: (allowPositionals ?? false) as P });
  } catch (err) {
    throw new CliUsageError((err as Error).message, { command, code: (err as { code?: string }).code });
  }
}

/** `--flag` as an integer in [min, max]; undefined when the flag was not given. */
export function integerFlag(flag: string, raw: string | boolean | undefined, range: { min?: number; max?: number } = {}): number | undefined {
  if (raw === undefined) return undefined;
  const { min = Number.MIN_SAFE_INTEGER, max = Number.MAX_SAFE_INTEGER } = range;
  const value = typeof raw === 'string' && /^-?\d+$/.test(raw) ? Number(raw) : Number.NaN;
  if (!Number.isSafeInteger(value) || value < min || value > max) {
    const bounds = range.min !== undefined || range.max !== undefined ? ` from ${min} to ${max}` : '';
    throw new CliUsageError(`--${flag} must be an integer${bounds}, got "${String(raw)}"`, { flag, value: raw });
  }
  return value;
}
