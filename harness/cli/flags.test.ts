import { describe, expect, it } from 'vitest';
import { choiceFlag, parseFlags } from './flags.ts';

const RUN = { profile: { type: 'string' }, 'report-dir': { type: 'string' } } as const;
const IMAGES = { rebuild: { type: 'boolean' }, sweep: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } } as const;

/** The CliUsageError message `parseFlags` throws for `argv`. */
function refusal(argv: string[], options: Parameters<typeof parseFlags>[2] = RUN, positionals = true): string {
  try {
    parseFlags('run', argv, options, positionals);
  } catch (err) {
    expect(err).toMatchObject({ code: 'HARN_CLI_USAGE' });
    return (err as Error).message;
  }
  throw new Error(`accepted ${argv.join(' ')}`);
}

describe('parseFlags', () => {
  it('names a mistyped flag and the one meant, not Node\'s "Unknown option … place it at the end after --"', () => {
    expect(refusal(['--profle', 'ci', 'scenarios/x.yaml'])).toBe('unknown flag --profle (did you mean --profile?)');
    expect(refusal(['--report-dri=out', 'x'])).toBe('unknown flag --report-dri (did you mean --report-dir?)');
    // One dash before a long name is read by Node as -p -r -o …; the word typed is what is reported.
    expect(refusal(['-profile', 'ci', 'x'])).toBe('unknown flag -profile (did you mean --profile?)');
    expect(refusal(['-H'], IMAGES, false)).toBe('unknown flag -H (did you mean -h?)');
  });

  it("lists the command's flags (--help included) when nothing is close", () => {
    expect(refusal(['--bogus', 'x'])).toBe('unknown flag --bogus (flags: --profile, --report-dir, --help)');
    expect(refusal(['-x'], IMAGES, false)).toBe('unknown flag -x (flags: --rebuild, --sweep, --help)');
  });

  it('says which flag lacks its value, or takes none, and refuses stray arguments', () => {
    expect(refusal(['x', '--profile'])).toBe('--profile needs a value');
    expect(refusal(['--profile', '--report-dir', 'out', 'x'])).toBe(
      '--profile needs a value (the next argument, --report-dir, is a flag; write --profile=--report-dir if it is the value)',
    );
    expect(refusal(['--rebuild=yes'], IMAGES, false)).toBe('--rebuild takes no value, got --rebuild=yes');
    expect(refusal(['extra'], IMAGES, false)).toBe('unexpected argument "extra" (this command takes flags only)');
  });

  it('parses what strict mode accepts, as before', () => {
    expect(parseFlags('run', ['--profile=-x', 'a', '--', '--not-a-flag'], RUN, true)).toEqual({
      values: { profile: '-x' },
      positionals: ['a', '--not-a-flag'],
    });
    expect(parseFlags('images', ['-h'], IMAGES).values).toEqual({ help: true });
  });
});

describe('choiceFlag', () => {
  const env = (value: string | undefined) => ({ name: 'OYA_PROFILE', value });

  it('takes the flag, else the variable (blank is unset), else nothing', () => {
    expect(choiceFlag('profile', 'ci', ['ci', 'full'], env('full'))).toBe('ci');
    expect(choiceFlag('profile', undefined, ['ci', 'full'], env(' full '))).toBe('full');
    expect(choiceFlag('profile', undefined, ['ci', 'full'], env('  '))).toBeUndefined();
  });

  it('names where a bad value came from: the variable, or the flag that overrides it', () => {
    expect(() => choiceFlag('profile', undefined, ['ci', 'full'], env('nope'))).toThrow(
      'OYA_PROFILE must be ci or full, got "nope" (set in the environment; unset it or pass --profile)',
    );
    expect(() => choiceFlag('profile', 'nope', ['ci', 'full'], env('full'))).toThrow(/^--profile must be ci or full, got "nope"$/);
    expect(() => choiceFlag('profile', undefined, ['ci', 'full'], env('ful'))).toThrow(/got "ful"; did you mean "full"\?/);
    expect(() => choiceFlag('env', 'cloud', ['local', 'containers', 'k8s'])).toThrow('--env must be one of local, containers, k8s, got "cloud"');
  });
});
