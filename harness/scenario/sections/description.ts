/** `description`: one or two sentences for the report header. */
import { z } from 'zod';

export const descriptionSchema = z.string().min(1).optional().meta({ description: 'What the scenario shows, for humans and the report header.' });
