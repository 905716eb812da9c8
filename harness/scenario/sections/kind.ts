/** `kind`: which lane runs the scenario. It must match the folder under scenarios/ the file is in. */
import path from 'node:path';
import { z } from 'zod';
import type { RawIssue } from './issue.ts';

export const KINDS = ['integration', 'chaos', 'load', 'leak'] as const;
export type ScenarioKind = (typeof KINDS)[number];

export const kindSchema = z
  .enum(KINDS, { error: (iss) => `kind must be one of ${KINDS.join(', ')}, got ${JSON.stringify(iss.input)}` })
  .meta({ description: 'The lane: integration, chaos, load or leak. Must match the folder the file is in.' });

/**
 * A file in scenarios/chaos/ must say `kind: chaos`: the lanes pick files by folder, so a
 * mismatch would silently run a scenario with the wrong budget. Files elsewhere are not checked.
 */
export function checkKind(kind: ScenarioKind, file: string): RawIssue[] {
  const folder = path.basename(path.dirname(path.resolve(file)));
  if ((KINDS as readonly string[]).includes(folder) && folder !== kind) {
    return [{ path: ['kind'], message: `kind is "${kind}" but the file is in the ${folder}/ folder; use kind: ${folder} or move the file` }];
  }
  return [];
}
