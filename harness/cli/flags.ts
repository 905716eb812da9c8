/**
 * Flag parsing shared by every `oya` command: node:util's parseArgs in strict mode (unknown flags
 * and missing values are errors), with each mistake reported in our words — the flag as typed,
 * the closest known flag or the list of known ones — as a CliUsageError (exit 2 with a pointer to
 * --help); plus the integer and one-of-a-list checks most commands need.
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { closest } from '../scenario/suggest.ts';
import { CliUsageError } from './errors.ts';

type Options = NonNullable<ParseArgsConfig['options']>;

/** Parses `argv` strictly against `options`; throws CliUsageError naming the bad flag. */
export function parseFlags<const O extends Options, const P extends boolean = false>(command: string, argv: string[], options: O, allowPositionals?: P) {
  checkArgs(command, argv, options, allowPositionals ?? false);
  try {
    return parseArgs({ args: argv, options, strict: true, allowPositionals: (allowPositionals ?? false) as P });
  } catch (err) {
    // checkArgs refuses what strict mode refuses; this stays for whatever a later Node adds.
    throw new CliUsageError((err as Error).message, { command, code: (err as { code?: string }).code });
  }
}

/**
 * Walks the arguments as parseArgs tokenises them (non-strict, so nothing throws) and refuses the
 * first one strict mode would, in terms of the flag the user typed. Node's own text ("Unknown
 * option '--profle'. To specify a positional argument starting with a '-', place it …") neither
 * suggests the flag that was meant nor lists the ones there are.
 */
function checkArgs(command: string, argv: string[], options: Options, allowPositionals: boolean): void {
  const { tokens } = parseArgs({ args: argv, options, strict: false, allowPositionals: true, tokens: true });
  for (const token of tokens) {
    if (token.kind === 'positional') {
      if (!allowPositionals) throw new CliUsageError(`unexpected argument ${JSON.stringify(token.value)} (this command takes flags only)`, { command });
      continue;
    }
    if (token.kind !== 'option') continue;
    const option = options[token.name];
    if (option === undefined) throw unknownFlag(command, argv, token, options);
    const flag = `--${token.name}`;
    if (option.type === 'boolean' && token.value !== undefined) {
      throw new CliUsageError(`${flag} takes no value, got ${token.rawName}=${token.value}`, { command, flag });
    }
    // Strict mode reads `--profile --json` as a forgotten value, not as the value "--json".
    const looksLikeFlag = token.value !== undefined && !token.inlineValue && token.value.length > 1 && token.value.startsWith('-');
    if (option.type === 'string' && (token.value === undefined || looksLikeFlag)) {
      const hint = looksLikeFlag ? ` (the next argument, ${token.value}, is a flag; write ${flag}=${token.value} if it is the value)` : '';
      throw new CliUsageError(`${flag} needs a value${hint}`, { command, flag });
    }
  }
}

type OptionToken = Extract<NonNullable<ReturnType<typeof parseArgs>['tokens']>[number], { kind: 'option' }>;

/** `unknown flag --profle (did you mean --profile?)`, or the known flags when nothing is close. */
function unknownFlag(command: string, argv: string[], token: OptionToken, options: Options): CliUsageError {
  // harness/cli/main.ts answers -h/--help before any command parses, so they are always known.
  const names = [...new Set([...Object.keys(options), 'help'])];
  const raw = argv[token.index] ?? token.rawName;
  // `-profile` is tokenised as the short flags -p -r -o …; what was typed (and meant) is the word.
  const word = /^-[^-]/.test(raw) && raw.length > 2 && token.rawName === raw.slice(0, 2) ? raw.split('=')[0]!.slice(1) : token.name;
  const typed = word === token.name ? token.rawName : `-${word}`;
  // A single letter is first compared with the short flags, where the likely slip is one of case (-H for -h).
  const shorts = Object.values(options).flatMap((o) => (o.short === undefined ? [] : [o.short]));
  const byShort = typed.length === 2 ? shorts.filter((s) => s.toLowerCase() === word.toLowerCase()).map((s) => `-${s}`) : [];
  const suggestions = byShort.length > 0 ? byShort : closest(word, names).map((n) => `--${n}`);
  const known = names.map((n) => `--${n}`);
  const hint = suggestions.length > 0 ? `did you mean ${suggestions.slice(0, 3).join(' or ')}?` : `flags: ${known.join(', ')}`;
  return new CliUsageError(`unknown flag ${typed} (${hint})`, { command, flag: typed, suggestions, known });
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

/**
 * `--flag` as one of `choices`, else the environment variable `envVar` (blank counts as unset),
 * else undefined. A refusal names where the value came from: a bad OYA_PROFILE in the shell is
 * not fixed by looking at the command line.
 */
export function choiceFlag<const C extends string>(
  flag: string,
  raw: string | undefined,
  choices: readonly C[],
  envVar?: { name: string; value: string | undefined },
): C | undefined {
  const fromEnv = raw === undefined ? envVar?.value?.trim() || undefined : undefined;
  const value = raw ?? fromEnv;
  if (value === undefined || (choices as readonly string[]).includes(value)) return value as C | undefined;
  const allowed = choices.length <= 2 ? choices.join(' or ') : `one of ${choices.join(', ')}`;
  const close = closest(value, choices);
  const hint = close.length > 0 ? `; did you mean "${close[0]!}"?` : '';
  const source = fromEnv !== undefined && envVar ? envVar.name : `--${flag}`;
  const where = fromEnv !== undefined && envVar ? ` (set in the environment; unset it or pass --${flag})` : '';
  throw new CliUsageError(`${source} must be ${allowed}, got "${value}"${hint}${where}`, { flag, source, value });
}
