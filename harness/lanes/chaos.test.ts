/** The chaos lane: one test per scenarios/chaos/*.yaml (see lane.ts). `npx vitest --project chaos`. */
import { defineLane } from './lane.ts';

await defineLane('chaos');
