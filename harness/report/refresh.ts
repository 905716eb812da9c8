/**
 * Re-renders a report directory from the journals in it: every page, index.html (with the
 * trends of reports/history/) and junit.xml. `oya run` and the Vitest lanes (both through
 * the run reporter (report/reporter.ts), after appending the run to its trend) and
 * `oya report` call it, so a report directory comes out the same whether one run wrote it or
 * `oya report --merge` joined CI shards into it.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { isJsonObject } from './html/journal-view.ts';
import { NOT_LANES, writeReports } from './html/write-reports.ts';
import { writeJunit } from './junit/junit.ts';

/** Paths of every `<reportDir>/<kind>/*.json` (the lanes writeReports renders), sorted. */
export async function journalFiles(reportDir: string): Promise<string[]> {
  const files: string[] = [];
  const lanes = (await readdir(reportDir, { withFileTypes: true }))
    .filter((d) => d.isDirectory() && !NOT_LANES.has(d.name))
    .map((d) => d.name)
    .sort();
  for (const lane of lanes) {
    for (const file of (await readdir(join(reportDir, lane))).filter((f) => f.endsWith('.json')).sort()) files.push(join(reportDir, lane, file));
  }
  return files;
}

/** The refresh in progress: refreshes run one at a time (see {@link refreshReports}). */
let refreshing: Promise<unknown> = Promise.resolve();

/**
 * writeReports (pages + index.html) and writeJunit over every journal under `reportDir`. Returns
 * the paths. Calls are serialized: runs that finish together (a lane's concurrent seeds) would
 * otherwise write the same pages at once and share writeJunit's per-process temp file.
 */
export function refreshReports(reportDir: string): Promise<{ index: string; junit: string; pages: string[]; skipped: { file: string; reason: string }[] }> {
  const next = refreshing.then(() => refreshReportsNow(reportDir));
  refreshing = next.catch(() => undefined);
  return next;
}

async function refreshReportsNow(reportDir: string) {
  const written = await writeReports(reportDir);
  const journals: Record<string, unknown>[] = [];
  for (const file of await journalFiles(reportDir)) {
    try {
      const parsed: unknown = JSON.parse(await readFile(file, 'utf8'));
      if (isJsonObject(parsed) && typeof parsed.scenario === 'object') journals.push(parsed);
    } catch {
      // half-written or not a journal: the index shows it; JUnit has nothing to say about it
    }
  }
  const junit = await writeJunit(journals, join(reportDir, 'junit.xml'), { reportDir });
  return { index: written.index, junit, pages: written.pages, skipped: written.skipped };
}
