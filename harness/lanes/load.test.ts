/** The load lane: one test per scenarios/load/*.yaml (see lane.ts). `npx vitest --project load`. */
import { defineLane } from './lane.ts';

await defineLane('load');
