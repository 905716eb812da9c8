import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { gitSha, journalPath, versions, writeJournal, type RunJournal } from './journal.ts';

const dirs: string[] = [];
afterEach(async () => {
  await Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true })));
});

function journal(verdict: RunJournal['verdict']): RunJournal {
  return {
    version: 1,
    scenario: { name: 'db-outage', kind: 'chaos', file: 'scenarios/chaos/db-outage.yaml', resolved: { name: 'db-outage' } },
    profile: 'ci',
    seed: 7,
    versions: versions(),
    gitSha: gitSha() ?? null,
    host: { platform: process.platform, arch: process.arch, cpus: 2 },
    startedAt: new Date(0).toISOString(),
    endedAt: new Date(1000).toISOString(),
    zeroAt: new Date(500).toISOString(),
    durationMs: 1000,
    verdict,
    phases: [{ name: 'environment', ms: 10 }],
    faults: [],
    gates: [{ kind: 'expect', name: 'expect.lost', pass: verdict === 'pass', expected: 'lost == 0', actual: '0' }],
    teardown: [],
    artifacts: {},
  };
}

describe('writeJournal', () => {
  it('writes reports/<kind>/<scenario>.json and replaces an older run without leaving temp files', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'oya-journal-'));
    dirs.push(dir);
    const path = await writeJournal(dir, journal('fail'));
    expect(path).toBe(journalPath(dir, 'chaos', 'db-outage'));
    await writeJournal(dir, journal('pass'));
    const read = JSON.parse(await readFile(path, 'utf8')) as RunJournal;
    expect(read.verdict).toBe('pass');
    expect(read.versions.node).toBe(process.version);
    expect(read.versions.surrealdb.sdk).toMatch(/^\d+\.\d+\.\d+/);
    expect(read.versions.surrealdb.engine).toMatch(/^\d+\.\d+\.\d+/);
    expect(await readdir(join(dir, 'chaos'))).toEqual(['db-outage.json']);
  });

  it("records the checkout's git sha", () => {
    expect(gitSha()).toMatch(/^[0-9a-f]{40}$/);
  });
});
