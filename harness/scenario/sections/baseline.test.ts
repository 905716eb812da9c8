import { describe, expect, it } from 'vitest';
import { baselineSchema } from './baseline.ts';

describe('baseline', () => {
  it('is optional and keeps the rules as written', () => {
    expect(baselineSchema.parse(undefined)).toBeUndefined();
    expect(baselineSchema.parse({ file: 'reports/base.json', rules: { 'latency.p99': '+10%', 'throughput.mean': '-5%' } })).toEqual({
      file: 'reports/base.json',
      rules: { 'latency.p99': '+10%', 'throughput.mean': '-5%' },
    });
  });

  it('reports a bad rule at its key, with the grammar error', () => {
    const issues = baselineSchema.safeParse({ file: 'b.json', rules: { 'latency.p99': '10%', 'latency.median': '+1%' } }).error?.issues ?? [];
    expect(issues.map((i) => i.path)).toEqual([
      ['rules', 'latency.p99'],
      ['rules', 'latency.median'],
    ]);
    expect(issues[0]?.message).toMatch(/start with \+/);
  });

  it('refuses an empty rule set and unknown keys', () => {
    expect(baselineSchema.safeParse({ file: 'b.json', rules: {} }).success).toBe(false);
    expect(baselineSchema.safeParse({ file: 'b.json', rules: { 'latency.p99': '+1%' }, tolerance: 1 }).success).toBe(false);
  });
});
