/** `name`: the scenario's id in reports and test names. */
import { z } from 'zod';
import { SLUG_HINT, SLUG_RE } from './issue.ts';

export const nameSchema = z
  .string({ error: 'name is required: a slug such as "db-outage"' })
  .regex(SLUG_RE, { error: (iss) => `${JSON.stringify(iss.input)} is not a valid name; use ${SLUG_HINT}` })
  .meta({ description: `The scenario id used in reports and test names: ${SLUG_HINT}.` });
