/**
 * Builds (when missing or stale) and runs the local images for real. Needs a Docker engine:
 * without one the test reports itself skipped with the reason (`npm run env:docker` brings one up).
 */
import { afterAll, describe, expect, it } from 'vitest';
import { dockerAvailable } from '../providers/select.ts';
import { docker } from './docker.ts';
import { ensureImages, imageNames, imageState, LOCAL_SURREAL_IMAGE, LOCAL_TOXIPROXY_IMAGE } from './build.ts';

const engine = await dockerAvailable();
const named = (name: string): string => (engine ? name : `${name} [skipped: no Docker engine answered /_ping within 2 s]`);
const started: string[] = [];
afterAll(async () => {
  if (started.length > 0) await docker(['rm', '-f', '-v', ...started]);
});

/** Polls `url` until it answers 200 (bounded: a busy 2-core machine starts node slowly). */
async function answers(url: string, timeoutMs = 90_000): Promise<Response> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const res = await fetch(url, { signal: AbortSignal.timeout(5_000) }).catch(() => undefined);
    if (res?.status === 200) return res;
    if (Date.now() > deadline) throw new Error(`${url} did not answer 200 within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

async function runImage(image: string, port: number, args: string[]): Promise<string> {
  const out = await docker(['run', '-d', '--label', 'oya.harness=test', '-p', `127.0.0.1::${port}`, image, ...args]);
  expect(out.code, out.stderr).toBe(0);
  const id = out.stdout.trim();
  started.push(id);
  const mapped = await docker(['port', id, String(port)]);
  return `http://${mapped.stdout.trim().split('\n')[0]}`;
}

describe('local images', () => {
  it.skipIf(!engine)(named("are built from this checkout without a registry, and start with the official images' command lines"), async () => {
    await ensureImages(imageNames({}));
    expect(await imageState(LOCAL_SURREAL_IMAGE)).toBe('current');
    expect(await imageState(LOCAL_TOXIPROXY_IMAGE)).toBe('current');
    // A second call finds them current and builds nothing.
    expect(await ensureImages(imageNames({}))).toEqual({ built: false, pulled: [] });

    const surreal = await runImage(LOCAL_SURREAL_IMAGE, 8000, ['start', '--user', 'root', '--pass', 'root', '--bind', '0.0.0.0:8000', 'rocksdb:/data/db']);
    const toxiproxy = await runImage(LOCAL_TOXIPROXY_IMAGE, 8474, ['-host=0.0.0.0', '-seed=7']);
    await answers(`${surreal}/health`);
    expect(await (await answers(`${surreal}/version`)).text()).toMatch(/3\.0\.2/);
    expect(await (await answers(`${toxiproxy}/version`)).json()).toEqual({ version: '2.12.0' });
  });

  it.skipIf(!engine)(named('refuses a command line the embedded server cannot honour, with a clear message'), async () => {
    const out = await docker(['run', '--rm', '--label', 'oya.harness=test', LOCAL_SURREAL_IMAGE, 'start', 'tikv://pd:2379']);
    expect(out.code).toBe(2);
    expect(out.stderr).toMatch(/HARN_CLI_USAGE unsupported datastore "tikv:\/\/pd:2379"/);
  });
});
