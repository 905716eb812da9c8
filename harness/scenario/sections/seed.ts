/** `seed`: drives every random choice (Poisson arrivals, fault targets, jitter) so runs replay. */
import { z } from 'zod';

export const seedSchema = z
  .int({ error: (iss) => `seed must be a whole number, got ${JSON.stringify(iss.input)}` })
  .min(0)
  .max(2 ** 31 - 1)
  .default(1)
  .meta({ description: 'Seed for arrivals, fault targets and jitter; the same seed replays the same schedule.' });
