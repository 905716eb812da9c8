/** `oya explore`'s flags: every bad value is a usage error (exit 2) naming the flag, before anything runs. */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { command } from './explore.ts';

async function usageError(argv: string[]): Promise<{ code?: string; message: string }> {
  try {
    await command.run(argv);
  } catch (err) {
    return err as { code?: string; message: string };
  }
  throw new Error(`oya explore ${argv.join(' ')} did not refuse its flags`);
}

describe('oya explore flags', () => {
  it.each([
    [['--budget', '10'], /--budget must be a duration/],
    [['--budget', 'soon'], /--budget must be a duration/],
    [['--kinds', 'load'], /--kinds takes chaos, integration, got "load"/],
    [['--defects', 'double-stpe'], /unknown defect "double-stpe"; known: .*double-step/],
    [['--env', 'k8s'], /--env takes local or containers/],
    [['--seed=-1'], /--seed must be an integer/],
    [['--runs', '0'], /--runs must be an integer/],
    [['--wat'], /wat/],
  ])('refuses %j', async (argv, message) => {
    const err = await usageError(argv);
    expect(err.code).toBe('HARN_CLI_USAGE');
    expect(err.message).toMatch(message);
  });

  it('refuses a --base file that is not a valid scenario, with its issues', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'oya-explore-base-'));
    try {
      const file = join(dir, 'base.yaml');
      await writeFile(file, 'name: b\nkind: chaos\nworkload:\n  - beads: 0\n');
      const err = await usageError(['--base', file, '--budget', '1s']);
      expect(err.code).toBe('HARN_CLI_USAGE');
      expect(err.message).toMatch(/is not a valid scenario:\n[\s\S]*workload\[0\]\.beads/);
      expect((await usageError(['--base', join(dir, 'missing.yaml')])).message).toMatch(/cannot read it \(ENOENT\)/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('documents every flag in --help', () => {
    for (const flag of ['--seed', '--runs', '--budget', '--base', '--kinds', '--defects', '--env', '--shrink-runs', '--shrink-tries', '--report-dir'])
      expect(command.help).toContain(flag);
  });
});
