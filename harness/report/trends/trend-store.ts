/**
 * The run history behind the index's trends: `<reportDir>/history/<kind>/<name>.json` per
 * scenario run name, holding its last {@link TREND_RUNS_KEPT} {@link TrendRecord}s, oldest first.
 *
 * Not to be confused with harness/history/, the Jepsen operation history WITHIN one run: this
 * is one point per run ACROSS runs. It lives under reports/ (git-ignored) because it is derived
 * from journals: losing it loses the sparklines, never a verdict. For the same reason a file
 * that does not parse is started afresh rather than failing a run's reporting.
 */
import { mkdir, readdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { isJsonObject } from '../html/journal-view.ts';
import { trendKeyText, trendRecordOf, type TrendKey, type TrendRecord } from './trend-record.ts';

/** Runs kept per scenario: a month of nightly runs, and a sparkline still ~3 px per point. */
export const TREND_RUNS_KEPT = 30;

/** The trend file format version; bump on an incompatible change (older files are then ignored). */
export const TREND_FILE_VERSION = 1;

/** The folder under the report directory that holds the trends (writeReports skips it). */
export const TREND_DIR = 'history';

interface TrendFile {
  version: typeof TREND_FILE_VERSION;
  kind: string;
  name: string;
  runs: TrendRecord[];
}

/**
 * Where a scenario's trend is kept. Kind and name are percent-encoded as one path segment each,
 * so a scenario named `../x` cannot write outside the history folder.
 */
export function trendFilePath(reportDir: string, key: TrendKey): string {
  return join(reportDir, TREND_DIR, encodeURIComponent(key.kind), `${encodeURIComponent(key.name)}.json`);
}

/**
 * Joins two lists of records of one scenario: one record per run (`startedAt`; on a clash the
 * one from `added` wins), oldest first, only the newest `limit`.
 */
export function mergeTrendRecords(existing: readonly TrendRecord[], added: readonly TrendRecord[], limit = TREND_RUNS_KEPT): TrendRecord[] {
  const byRun = new Map<string, TrendRecord>();
  for (const record of [...existing, ...added]) byRun.set(record.startedAt, record);
  return [...byRun.values()].sort((a, b) => a.startedAt.localeCompare(b.startedAt)).slice(-limit);
}

/** A scenario's kept records, oldest first; [] when it has none yet (or its file is unreadable). */
export async function readTrend(reportDir: string, key: TrendKey): Promise<TrendRecord[]> {
  return (await readTrendFile(trendFilePath(reportDir, key)))?.runs ?? [];
}

/** Replaces a scenario's kept records (bounded to the newest {@link TREND_RUNS_KEPT}); returns the file's path. */
export async function writeTrend(reportDir: string, key: TrendKey, records: readonly TrendRecord[]): Promise<string> {
  const path = trendFilePath(reportDir, key);
  const file: TrendFile = { version: TREND_FILE_VERSION, kind: key.kind, name: key.name, runs: mergeTrendRecords([], records) };
  await mkdir(join(reportDir, TREND_DIR, encodeURIComponent(key.kind)), { recursive: true });
  // Temp file + rename: a lane and `oya run` finishing together must not leave half a file.
  const tmp = `${path}.${process.pid}.tmp`;
  await writeFile(tmp, JSON.stringify(file, null, 1) + '\n');
  await rename(tmp, path);
  return path;
}

/**
 * Adds a journal's run to its scenario's trend (once: a run already kept is replaced, not
 * doubled). Returns the file written, or undefined for a journal without a start time.
 */
export async function appendTrend(reportDir: string, journal: unknown): Promise<string | undefined> {
  const point = trendRecordOf(journal);
  if (!point) return undefined;
  const kept = await readTrend(reportDir, point.key);
  return writeTrend(reportDir, point.key, mergeTrendRecords(kept, [point.record]));
}

/** Every readable trend file under `reportDir`: its scenario and its kept runs. */
export async function readTrendFiles(reportDir: string): Promise<{ key: TrendKey; runs: TrendRecord[] }[]> {
  const found: { key: TrendKey; runs: TrendRecord[] }[] = [];
  const root = join(reportDir, TREND_DIR);
  const kinds = await readdir(root, { withFileTypes: true }).catch(() => []);
  for (const kind of kinds.filter((d) => d.isDirectory())) {
    for (const file of (await readdir(join(root, kind.name))).filter((f) => f.endsWith('.json')).sort()) {
      const parsed = await readTrendFile(join(root, kind.name, file));
      if (parsed) found.push({ key: { kind: parsed.kind, name: parsed.name }, runs: parsed.runs });
    }
  }
  return found;
}

/** Every kept trend under `reportDir`, by `<kind>/<name>` (see {@link trendKeyText}). */
export async function readAllTrends(reportDir: string): Promise<Map<string, TrendRecord[]>> {
  return new Map((await readTrendFiles(reportDir)).map((t) => [trendKeyText(t.key), t.runs]));
}

async function readTrendFile(path: string): Promise<TrendFile | undefined> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(await readFile(path, 'utf8'));
  } catch {
    return undefined;
  }
  // (An array has no `version`, so leaving arrays out up front changes nothing.)
  if (!isJsonObject(parsed)) return undefined;
  const { version, kind, name, runs } = parsed;
  if (version !== TREND_FILE_VERSION || typeof kind !== 'string' || typeof name !== 'string' || !Array.isArray(runs)) return undefined;
  return { version: TREND_FILE_VERSION, kind, name, runs: runs.filter(isTrendRecord) };
}

/** A stored run that can be drawn: it has a start time and a known verdict. */
function isTrendRecord(r: unknown): r is TrendRecord {
  return isJsonObject(r) && typeof r.startedAt === 'string' && (r.verdict === 'pass' || r.verdict === 'fail' || r.verdict === 'error');
}
