/**
 * "Did you mean" for every name a user can mistype: scenario keys, bead and workflow references,
 * `oya` flags. One distance and one threshold, so the validator and the CLI suggest alike.
 */

/** Optimal string alignment distance: edits plus adjacent swaps, so "rtae" is 1 from "rate". */
export function editDistance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      d[i]![j] = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d[i]![j] = Math.min(d[i]![j]!, d[i - 2]![j - 2]! + 1);
    }
  }
  return d[a.length]![b.length]!;
}

/**
 * The candidates close enough to `word` to be what was meant, closest first (ties in the given
 * order). Close: at most a third of the candidate's length apart (at least 1), case ignored, so a
 * short name only matches a one-letter slip and "deploy" never suggests "db".
 */
export function closest(word: string, candidates: Iterable<string>): string[] {
  const lower = word.toLowerCase();
  return [...candidates]
    .map((c, order) => ({ c, order, d: editDistance(c.toLowerCase(), lower) }))
    .filter(({ c, d }) => d <= Math.max(1, Math.floor(c.length / 3)))
    .sort((x, y) => x.d - y.d || x.order - y.order)
    .map(({ c }) => c);
}

/** At most this many names are listed; the rest are counted ("and 12 more"). */
export const LISTED_NAMES = 10;

/** `a, b, c` or `a, b, … j and 12 more`; `none` when empty. */
export function listNames(names: Iterable<string>, max = LISTED_NAMES): string {
  const all = [...names];
  if (all.length === 0) return 'none';
  const shown = all.slice(0, max).join(', ');
  return all.length > max ? `${shown} and ${all.length - max} more` : shown;
}

/** `; did you mean "x"?` (or `"x" or "y"`), empty when nothing is close. */
export function didYouMean(word: string, candidates: Iterable<string>, quote: (s: string) => string = (s) => JSON.stringify(s)): string {
  const close = closest(word, candidates).slice(0, 3);
  return close.length > 0 ? `; did you mean ${close.map(quote).join(' or ')}?` : '';
}
