import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { hasCode } from '../../../system/errors.ts';
import { createImagesCommand, parseImagesArgs } from './images.ts';

const OYA = fileURLToPath(new URL('../oya.mjs', import.meta.url));

/** Runs the real `oya images …` in a child process with extra environment variables. */
function oya(argv: string[], env: NodeJS.ProcessEnv): Promise<{ code: number; out: string; err: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [OYA, 'images', ...argv], { env: { ...process.env, ...env }, timeout: 60_000 }, (error, out, err) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : -1) : 0, out, err });
    });
  });
}

describe('oya images', () => {
  it('builds by default; --rebuild and --sweep pick the other actions; -h is help', () => {
    expect(parseImagesArgs([])).toBe('build');
    expect(parseImagesArgs(['--rebuild'])).toBe('rebuild');
    expect(parseImagesArgs(['--sweep'])).toBe('sweep');
    expect(parseImagesArgs(['-h'])).toBe('help');
  });

  it('refuses both actions at once and unknown flags with HARN_CLI_USAGE', () => {
    for (const argv of [['--rebuild', '--sweep'], ['--prune'], ['build']]) {
      let caught: unknown;
      try {
        parseImagesArgs(argv);
      } catch (err) {
        caught = err;
      }
      expect(hasCode(caught, 'HARN_CLI_USAGE'), argv.join(' ')).toBe(true);
    }
  });

  it('prints its help without touching Docker', async () => {
    let out = '';
    const code = await createImagesCommand({ stdout: { write: (s: string) => (out += s) }, stderr: { write: () => true } }).run(['--help']);
    expect(code).toBe(0);
    expect(out).toContain('Usage: oya images [--rebuild | --sweep]');
    expect(out).toContain('npm run env:docker');
  });

  it('--sweep with no engine at DOCKER_HOST exits 1 naming the socket, not a stack trace', async () => {
    const { code, err } = await oya(['--sweep'], { DOCKER_HOST: `unix:///tmp/oya-no-docker-${process.pid}.sock` });
    expect(code).toBe(1);
    expect(err).toContain(`oya images: HARN_ENV_NO_DOCKER the sweep could not talk to Docker (DOCKER_HOST=unix:///tmp/oya-no-docker-${process.pid}.sock)`);
    expect(err).not.toMatch(/\n\s+at /);
  });
});
