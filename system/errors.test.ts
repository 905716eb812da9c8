/**
 * The error catalogue stays honest: every ORCH_* / HARN_* code that appears in the source is
 * documented in system/ERRORS.md, every documented code still exists, and no code is spelled two
 * ways. (After fastify's test/internals/errors.test.js.)
 */
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { OyaError, hasCode } from './errors.ts';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const CODE = /['"`]((?:ORCH|HARN)_[A-Z0-9_]+)['"`]/g;

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((entry) => {
    const path = join(dir, entry);
    if (entry === 'node_modules' || entry === 'fixtures') return [];
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return path.endsWith('.ts') && !path.endsWith('.test.ts') ? [path] : [];
  });
}

function codesInSource(): Map<string, string> {
  const found = new Map<string, string>();
  for (const file of [...sourceFiles(join(ROOT, 'system')), ...sourceFiles(join(ROOT, 'harness'))]) {
    for (const match of readFileSync(file, 'utf8').matchAll(CODE)) {
      if (!found.has(match[1]!)) found.set(match[1]!, relative(ROOT, file));
    }
  }
  return found;
}

function codesInCatalogue(): Set<string> {
  const text = readFileSync(join(ROOT, 'system', 'ERRORS.md'), 'utf8');
  return new Set([...text.matchAll(/^\|\s*`((?:ORCH|HARN)_[A-Z0-9_]+)`/gm)].map((m) => m[1]!));
}

describe('error catalogue (system/ERRORS.md)', () => {
  it('documents every code used in the source', () => {
    const documented = codesInCatalogue();
    const missing = [...codesInSource()].filter(([code]) => !documented.has(code)).map(([code, file]) => `${code} (${file})`);
    expect(missing).toEqual([]);
  });

  it('lists no code that the source no longer uses', () => {
    const used = codesInSource();
    expect([...codesInCatalogue()].filter((code) => !used.has(code))).toEqual([]);
  });
});

describe('OyaError', () => {
  it('carries a stable code, retryability and frozen details, and serialises to JSON', () => {
    const err = new OyaError('ORCH_TEST_ONLY', 'boom', { retryable: true, details: { bead: 'b1' } });
    expect(err).toBeInstanceOf(Error);
    expect(err.name).toBe('OyaError');
    expect(hasCode(err, 'ORCH_TEST_ONLY')).toBe(true);
    expect(Object.isFrozen(err.details)).toBe(true);
    expect(JSON.parse(JSON.stringify(err))).toEqual({ code: 'ORCH_TEST_ONLY', message: 'boom', retryable: true, details: { bead: 'b1' } });
  });
});
