/** The leak lane: one test per scenarios/leak/*.yaml (see lane.ts). `npx vitest --project leak`. */
import { defineLane } from './lane.ts';

await defineLane('leak');
