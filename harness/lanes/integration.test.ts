/** The integration lane: one test per scenarios/integration/*.yaml (see lane.ts). `npx vitest --project integration`. */
import { defineLane } from './lane.ts';

await defineLane('integration');
