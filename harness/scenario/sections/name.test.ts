import { describe, expect, it } from 'vitest';
import { descriptionSchema } from './description.ts';
import { nameSchema } from './name.ts';
import { seedSchema } from './seed.ts';

describe('name', () => {
  it.each(['db-outage', 'a', 'soak-24h', 'x2'])('accepts the slug %j', (name) => {
    expect(nameSchema.parse(name)).toBe(name);
  });
  it.each(['DB-outage', 'db_outage', '-x', 'x-', 'a--b', '', 'has space'])('refuses %j and says what a slug is', (name) => {
    const result = nameSchema.safeParse(name);
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.message).toMatch(/lowercase letters, digits and single dashes/);
  });
});

describe('description', () => {
  it('is optional but not empty', () => {
    expect(descriptionSchema.parse(undefined)).toBeUndefined();
    expect(descriptionSchema.safeParse('').success).toBe(false);
  });
});

describe('seed', () => {
  it('defaults to 1 and takes whole numbers only', () => {
    expect(seedSchema.parse(undefined)).toBe(1);
    expect(seedSchema.parse(7)).toBe(7);
    expect(seedSchema.safeParse(1.5).error?.issues[0]?.message).toMatch(/whole number/);
    expect(seedSchema.safeParse(-1).success).toBe(false);
  });
});
