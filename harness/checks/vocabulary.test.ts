import { describe, expect, it } from 'vitest';
import { beadEventSchemas, TERMINAL_BEAD_STATUSES } from '../../system/events/index.ts';
import { DEFAULT_VOCABULARY } from './vocabulary.ts';

describe('default vocabulary', () => {
  it('names event types and statuses that system/events defines', () => {
    const types = Object.keys(beadEventSchemas);
    for (const name of [...DEFAULT_VOCABULARY.terminalEventTypes, ...DEFAULT_VOCABULARY.creationEventTypes]) expect(types).toContain(name);
    expect(new Set(DEFAULT_VOCABULARY.terminalStatuses)).toEqual(new Set(TERMINAL_BEAD_STATUSES));
  });
});
