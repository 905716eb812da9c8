/**
 * The chaos lane: one test per scenarios/chaos/*.yaml (see lane.ts), each run with 3 seeds under
 * the ci profile (seed, seed+1, seed+2: a fault schedule that passes by luck of one seed does not
 * pass three). `npx vitest --project chaos`; `OYA_PROFILE=full` runs the long profile, one seed.
 * Always the local environment (chaos-containers.test.ts is the containers one): a scenario naming
 * a container-only fault (db.partition, db.pause) is skipped here with the reason.
 */
import { defineLane } from './lane.ts';

await defineLane('chaos', { ciSeeds: 3, env: 'local' });
