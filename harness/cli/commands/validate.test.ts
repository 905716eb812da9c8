import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { CliUsageError } from '../errors.ts';
import { createValidateCommand } from './validate.ts';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const dir = mkdtempSync(path.join(tmpdir(), 'oya-validate-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const valid = path.join(dir, 'good.yaml');
writeFileSync(valid, 'name: good\nkind: load\nworkload:\n  - beads: 3\n    rate: 1/s\n');
const broken = path.join(dir, 'nested', 'bad.yaml');
mkdirSync(path.dirname(broken));
writeFileSync(broken, 'name: bad\nkind: load\nworkload:\n  - beads: 3\nfaults:\n  - { at: soon, do: db.kill }\n');

async function run(argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const command = createValidateCommand({ stdout: { write: (t: string) => (out += t) }, stderr: { write: (t: string) => (err += t) } });
  const code = await command.run(argv);
  return { code, out, err };
}

describe('oya validate --env', () => {
  const envDir = mkdtempSync(path.join(tmpdir(), 'oya-validate-env-'));
  afterAll(() => rmSync(envDir, { recursive: true, force: true }));
  const chaos = path.join(envDir, 'partition.yaml');
  writeFileSync(
    chaos,
    'name: partition\nkind: chaos\nworkload:\n  - beads: 3\nfaults:\n  - { at: 1s, do: db.kill }\n  - { at: 2s, do: db.partition, for: 1s }\n',
  );

  it('refuses a fault needing a capability the named environment lacks, pointing at its `do:` with the reason', async () => {
    const { code, out } = await run(['--env', 'local', chaos]);
    expect(code).toBe(2);
    expect(out).toContain(`INVALID ${chaos} [HARN_RUNNER_FAULT_UNSUPPORTED]`);
    expect(out).toContain(
      `${chaos}:7:19 faults[1].do: db.partition cannot run in the local environment: needs the db.partition capability, which the local environment lacks; the containers environment has it`,
    );
    const containers = await run(['--env=containers', chaos]);
    expect(containers.code).toBe(0);
    expect(containers.out).toContain(`OK ${chaos}`);
  });

  it('judges by the capabilities it is given (a started environment may have fewer)', async () => {
    let out = '';
    const noDisk = () => ({ kind: 'local' as const, capabilities: new Set(['db.restart'] as const) });
    const command = createValidateCommand({ stdout: { write: (t: string) => (out += t) }, stderr: { write: () => undefined } }, noDisk);
    expect(await command.run(['--env', 'local', chaos])).toBe(2);
    expect(out).toContain(
      'faults[0].do: db.kill cannot run in the local environment: needs the db.kill capability, which the local environment lacks; the local, containers environments have it',
    );
  });

  it('accepts every shipped scenario in containers; in local refuses only container-only faults; refuses an unknown environment', async () => {
    const containers = await run(['--env', 'containers', path.join(ROOT, 'scenarios')]);
    expect(containers.out).not.toContain('INVALID');
    expect(containers.code).toBe(0);
    const local = await run(['--env', 'local', path.join(ROOT, 'scenarios')]);
    const refused = local.out.split('\n').filter((l) => l.startsWith('INVALID'));
    for (const line of refused) expect(line).toContain('[HARN_RUNNER_FAULT_UNSUPPORTED]');
    for (const line of local.out.split('\n').filter((l) => l.includes('cannot run in the local environment')))
      expect(line).toMatch(/db\.(partition|pause) cannot run/);
    expect(local.code).toBe(refused.length > 0 ? 2 : 0);
    await expect(run(['--env', 'cloud', valid])).rejects.toThrow(CliUsageError);
  });
});

describe('oya validate', () => {
  it('prints OK and exits 0 when every file is valid', async () => {
    const { code, out } = await run([valid]);
    expect(code).toBe(0);
    expect(out).toContain(`OK ${valid} (load, 1 phase(s), 0 fault(s), 0 threshold(s))`);
    expect(out).toContain('1 valid, 0 invalid');
  });

  it('prints every issue with file:line and exits 2 when any file is invalid; folders are searched', async () => {
    const { code, out } = await run([dir]);
    expect(code).toBe(2);
    expect(out).toContain(`INVALID ${broken} [HARN_SCENARIO_INVALID]`);
    expect(out).toContain(`${broken}:6:11 faults[0].at: "soon" is not a duration`);
    expect(out).toContain(`OK ${valid}`);
    expect(out).toContain('1 valid, 1 invalid');
  });

  it('reports YAML syntax errors and missing files as source errors', async () => {
    const syntax = path.join(dir, 'syntax.yml');
    writeFileSync(syntax, 'name: x\nkind: [load\n');
    const { code, out } = await run([syntax, path.join(dir, 'missing.yaml'), '--json']);
    expect(code).toBe(2);
    const lines = out
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { ok: boolean; code: string; issues: { line: number }[] });
    expect(lines.map((l) => [l.ok, l.code])).toEqual([
      [false, 'HARN_SCENARIO_SOURCE'],
      [false, 'HARN_SCENARIO_SOURCE'],
    ]);
    rmSync(syntax);
  });

  it('accepts every shipped scenario under each profile', async () => {
    for (const profile of ['ci', 'full']) {
      const { code, out } = await run(['--profile', profile, path.join(ROOT, 'scenarios')]);
      expect(
        out.split('\n').filter((l) => !l.startsWith('OK ')),
        profile,
      ).toEqual([expect.stringMatching(/^\d+ valid, 0 invalid$/), '']);
      expect(code).toBe(0);
    }
  });

  it('refuses a workload whose arrivals run past timeouts.total, with file:line, the phase and the numbers', async () => {
    const late = path.join(dir, 'late', 'late-arrivals.yaml');
    mkdirSync(path.dirname(late));
    writeFileSync(late, 'name: late\nkind: load\nworkload:\n  - beads: 10\n  - start: 5s\n    beads: 91\n    rate: 1/s\ntimeouts: { drain: 10s, total: 1m }\n');
    const { code, out } = await run([late]);
    expect(code).toBe(2);
    expect(out).toContain(
      `${late}:5:5 workload[1]: arrivals run until 1m35s but timeouts.total is 1m (91 beads at 1/s from 5s): raise timeouts.total above 1m35s plus the time to drain, or end the phase earlier`,
    );
    rmSync(path.dirname(late), { recursive: true });
  });

  it('refuses bad flags and no files with CliUsageError', async () => {
    await expect(run(['--strict', valid])).rejects.toThrow(CliUsageError);
    await expect(run(['--profile', 'nightly', valid])).rejects.toThrow('--profile must be ci or full, got "nightly"');
    await expect(run(['--jsno', valid])).rejects.toThrow('unknown flag --jsno (did you mean --json?)');
    await expect(run([])).rejects.toMatchObject({ code: 'HARN_CLI_USAGE' });
  });

  it('exits 2 from a real process on an invalid file', async () => {
    const script = `import { command } from ${JSON.stringify(path.join(ROOT, 'harness/cli/commands/validate.ts'))}; process.exitCode = await command.run(process.argv.slice(1));`;
    const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script, broken, valid], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    afterAll(() => {
      if (child.exitCode === null) child.kill('SIGKILL');
    });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    expect(out).toContain(`${broken}:6:11 faults[0].at`);
    expect(code).toBe(2);
  }, 30_000);
});
