/**
 * What a section's cross-field check returns: a path inside the scenario document and a message.
 * The loader adds the file, line and column from the YAML node at that path.
 */
export type PathSegment = string | number;

export interface RawIssue {
  path: PathSegment[];
  message: string;
}

/** A lowercase slug: `db-outage`, `build2`. Used for names, workflow and bead ids. */
export const SLUG_PATTERN = '^[a-z0-9]+(?:-[a-z0-9]+)*$';
export const SLUG_RE = new RegExp(SLUG_PATTERN);
export const SLUG_HINT = 'lowercase letters, digits and single dashes, e.g. "db-outage"';
