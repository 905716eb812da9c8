import { describe, expect, it } from 'vitest';
import { checkKind, kindSchema } from './kind.ts';

describe('kind', () => {
  it('is one of the four lanes', () => {
    expect(kindSchema.parse('chaos')).toBe('chaos');
    expect(kindSchema.safeParse('soak').error?.issues[0]?.message).toBe('kind must be one of integration, chaos, load, leak, got "soak"');
  });

  it('must match the scenarios/ folder the file is in', () => {
    expect(checkKind('chaos', 'scenarios/chaos/x.yaml')).toEqual([]);
    expect(checkKind('load', 'scenarios/chaos/x.yaml')).toEqual([
      { path: ['kind'], message: 'kind is "load" but the file is in the chaos/ folder; use kind: chaos or move the file' },
    ]);
  });

  it('is not checked for files outside a lane folder', () => {
    expect(checkKind('leak', 'elsewhere/x.yaml')).toEqual([]);
  });
});
