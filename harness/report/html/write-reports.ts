/**
 * writeReports(): renders every journal under a report directory into HTML, next to its JSON,
 * plus the index. The JSON journals are the only input (harness/report/html/README.md).
 */
import { readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { ReportDirMissingError, ReportJournalInvalidError } from './errors.ts';
import { renderIndexPage, type IndexEntry } from './index-page.ts';
import { toJournalView } from './journal-view.ts';
import { renderScenarioPage } from './scenario-page.ts';
import { readAllTrends, TREND_DIR } from '../trends/trend-store.ts';

/** Folders under reports/ that hold something other than scenario journals. */
export const NOT_LANES: ReadonlySet<string> = new Set(['bench', 'screenshots', TREND_DIR]);

/** What writeReports() did. */
export interface WriteReportsResult {
  /** Absolute paths of the scenario pages written. */
  pages: string[];
  /** The index page. */
  index: string;
  /** JSON files that are not journals (or not readable) and why; they appear in the index as errors when they look like journals. */
  skipped: { file: string; reason: string }[];
}

/**
 * Reads every `<reportDir>/<kind>/*.json`, writes `<kind>/<file>.html` beside each journal and
 * `<reportDir>/index.html` (with the trends kept under `<reportDir>/history/`). Page file names
 * come from the journal's FILE name, never from the scenario name inside it, so a hostile name
 * cannot write outside the report directory.
 */
export async function writeReports(reportDir: string): Promise<WriteReportsResult> {
  try {
    if (!(await stat(reportDir)).isDirectory()) throw new Error('not a directory');
  } catch (err) {
    throw new ReportDirMissingError(reportDir, err);
  }
  const result: WriteReportsResult = { pages: [], index: join(reportDir, 'index.html'), skipped: [] };
  const entries: IndexEntry[] = [];
  const lanes = (await readdir(reportDir, { withFileTypes: true }))
    .filter((d) => d.isDirectory() && !NOT_LANES.has(d.name))
    .map((d) => d.name)
    .sort();
  for (const lane of lanes) {
    const files = (await readdir(join(reportDir, lane))).filter((f) => f.endsWith('.json')).sort();
    for (const file of files) {
      const path = join(reportDir, lane, file);
      const href = `${encodeURIComponent(lane)}/${encodeURIComponent(basename(file, '.json'))}.html`;
      let parsed: unknown;
      try {
        parsed = JSON.parse(await readFile(path, 'utf8'));
      } catch (err) {
        // A half-written journal (a run killed mid-write) still shows up, as an error row.
        const reason = err instanceof Error ? err.message : String(err);
        result.skipped.push({ file: path, reason });
        entries.push({ journal: { invalid: reason }, href: `${lane}/${file}` });
        continue;
      }
      let view;
      try {
        view = toJournalView(parsed, path);
      } catch (err) {
        if (!(err instanceof ReportJournalInvalidError)) throw err;
        result.skipped.push({ file: path, reason: err.message });
        continue;
      }
      const page = join(reportDir, lane, `${basename(file, '.json')}.html`);
      await writeFile(page, renderScenarioPage(view));
      result.pages.push(page);
      entries.push({ journal: view, href });
    }
  }
  await writeFile(result.index, renderIndexPage(entries, { trends: await readAllTrends(reportDir) }));
  return result;
}
