import { describe, expect, it, vi } from 'vitest';
import { main } from './main.ts';

/** Runs `oya …` in-process and captures what it writes. */
async function oya(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const o = vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => ((out += String(chunk)), true));
  const e = vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => ((err += String(chunk)), true));
  try {
    return { code: await main(argv), out, err };
  } finally {
    o.mockRestore();
    e.mockRestore();
  }
}

const COMMANDS = ['start', 'surreal', 'toxiproxy', 'validate', 'report', 'compare', 'run', 'explore', 'soak', 'images'];

describe('oya', () => {
  it('lists every command in --help, each with a summary', async () => {
    const { code, out } = await oya('--help');
    expect(code).toBe(0);
    for (const name of COMMANDS) expect(out).toMatch(new RegExp(`^  ${name} +\\S`, 'm'));
  });

  it.each(COMMANDS)('documents its flags: oya %s --help', async (name) => {
    const { code, out } = await oya(name, '--help');
    expect(code).toBe(0);
    expect(out).toMatch(/usage/i);
  });

  it('exits 2 on an unknown command and names the known ones', async () => {
    const { code, err } = await oya('strat');
    expect(code).toBe(2);
    expect(err).toContain('unknown command "strat"');
    expect(err).toContain('start');
  });

  it('exits 2 with a pointer to --help on a bad flag', async () => {
    const { code, err } = await oya('start', '--wrokers', '3');
    expect(code).toBe(2);
    expect(err).toMatch(/wrokers/);
    expect(err).toContain('oya start --help');
  });

  it("exits 2 on a mistyped flag, suggesting the flag meant in place of parseArgs's own text", async () => {
    const { code, err } = await oya('run', '--profle', 'ci', 'scenarios/x.yaml');
    expect(code).toBe(2);
    expect(err).toBe('oya run: unknown flag --profle (did you mean --profile?)\nSee `oya run --help`.\n');
    const validate = await oya('validate', '--bogus', 'scenarios');
    expect(validate.code).toBe(2);
    expect(validate.err).toContain('oya validate: unknown flag --bogus (flags: --json, --profile, --env, --help)');
    // start (whose flags system/main.ts owns) and soak (harness/leak) word it the same way.
    const start = await oya('start', '--wrokers', '3');
    expect(start.code).toBe(2);
    expect(start.err).toBe('oya start: unknown flag --wrokers (did you mean --workers?)\nSee `oya start --help`.\n');
    const soak = await oya('soak', '--duraton', '1m');
    expect(soak.code).toBe(2);
    expect(soak.err).toBe('oya soak: unknown flag --duraton (did you mean --duration?)\nSee `oya soak --help`.\n');
  });

  it('blames OYA_PROFILE, not --profile, for a bad profile from the environment (run and validate)', async () => {
    vi.stubEnv('OYA_PROFILE', 'nope');
    try {
      for (const name of ['run', 'validate']) {
        const { code, err } = await oya(name, 'scenarios');
        expect(code, name).toBe(2);
        expect(err).toContain(`oya ${name}: OYA_PROFILE must be ci or full, got "nope" (set in the environment; unset it or pass --profile)`);
      }
      // The flag wins over the variable, and its own bad value is blamed on the flag.
      const { err } = await oya('validate', '--profile', 'nightly', 'scenarios');
      expect(err).toContain('oya validate: --profile must be ci or full, got "nightly"\n');
    } finally {
      vi.unstubAllEnvs();
    }
  });

  it('exits 2 and prints the overview when no command is given', async () => {
    const { code, out } = await oya();
    expect(code).toBe(2);
    expect(out).toContain('Usage: oya <command>');
  });
});
