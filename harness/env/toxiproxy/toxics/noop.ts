import { passThrough, type ToxicDefinition } from './types.ts';

/** Passes data through unchanged (a valid type in Toxiproxy, also the hidden head of every chain). */
export const noop: ToxicDefinition = {
  type: 'noop',
  attributes: [],
  bufferSize: 0,
  pipe: (stub) => passThrough(stub),
};
