/**
 * `oya report --merge DIR…`: joins report directories (CI shards' artifacts, each a `reports/`
 * of its own) into one: every journal with the files beside it, and every scenario's trend.
 * The caller then re-renders the destination (refresh.ts), giving one index, one junit.xml and
 * one history for the whole run.
 *
 * Shards run disjoint scenarios, so a clash means the same scenario in two places: the same run
 * twice (the same start time: kept once) or two runs (the later start wins, and the clash is
 * reported, never silent).
 */
import { copyFile, mkdir, readdir, readFile, stat } from 'node:fs/promises';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { ReportDirMissingError } from './html/errors.ts';
import { journalFiles } from './refresh.ts';
import { appendTrend, mergeTrendRecords, readTrend, readTrendFiles, writeTrend } from './trends/trend-store.ts';

/** What a merge did. */
export interface MergeResult {
  /** Journals copied into the destination (paths relative to it, `<kind>/<file>.json`). */
  copied: string[];
  /** Journals found twice with the same start time: the same run, kept once. */
  duplicates: string[];
  /** Two different runs of one scenario: which source's run was kept and which was dropped. */
  clashes: { journal: string; kept: string; dropped: string }[];
  /** Sources that held no journal (an empty shard artifact usually means a shard that never ran). */
  empty: string[];
  /** Scenario trends written into the destination's history. */
  trends: number;
}

/** Merges `sources` into `dest` (created when missing; its own journals stay unless a source has a later run). */
export async function mergeReportDirs(sources: readonly string[], dest: string): Promise<MergeResult> {
  for (const source of sources) await requireDir(source);
  await mkdir(dest, { recursive: true });
  const result: MergeResult = { copied: [], duplicates: [], clashes: [], empty: [], trends: 0 };
  /** Where each destination journal came from, for the clash messages. */
  const origin = new Map<string, string>();
  for (const source of sources) {
    const files = await journalFiles(source);
    if (files.length === 0) result.empty.push(source);
    if (resolve(source) === resolve(dest)) continue;
    for (const file of files) {
      const rel = relative(source, file);
      const target = join(dest, rel);
      const incoming = await runTimes(file);
      const present = await runTimes(target);
      if (present !== undefined) {
        if (incoming?.startedAt === present.startedAt) {
          result.duplicates.push(rel);
          continue;
        }
        const keepIncoming = (incoming?.startedAt ?? '') > present.startedAt;
        const previous = origin.get(rel) ?? dest;
        result.clashes.push({ journal: rel, kept: keepIncoming ? source : previous, dropped: keepIncoming ? previous : source });
        if (!keepIncoming) continue;
      }
      await copyRun(file, target);
      origin.set(rel, source);
      if (!result.copied.includes(rel)) result.copied.push(rel);
    }
  }
  result.trends = await mergeTrends(sources, dest);
  return result;
}

async function requireDir(dir: string): Promise<void> {
  try {
    if (!(await stat(dir)).isDirectory()) throw new Error('not a directory');
  } catch (err) {
    throw new ReportDirMissingError(dir, err);
  }
}

/** A journal's start time, or undefined when the file is missing or not a journal with one. */
async function runTimes(file: string): Promise<{ startedAt: string } | undefined> {
  try {
    const parsed = JSON.parse(await readFile(file, 'utf8')) as { startedAt?: unknown };
    return { startedAt: typeof parsed.startedAt === 'string' ? parsed.startedAt : '' };
  } catch (err) {
    // A file that exists but does not parse still counts as present (an empty start time loses every clash).
    return (err as NodeJS.ErrnoException).code === 'ENOENT' ? undefined : { startedAt: '' };
  }
}

/**
 * Copies a journal and the files its run left beside it (`<name>.orchestrator.log` …: same
 * basename, another extension). Pages are not copied: the destination is re-rendered.
 */
async function copyRun(journal: string, target: string): Promise<void> {
  await mkdir(dirname(target), { recursive: true });
  const base = basename(journal, '.json');
  const names = await readdir(dirname(journal));
  const bases = names.filter((n) => n.endsWith('.json')).map((n) => basename(n, '.json'));
  // `db-kill.containers.orchestrator.log` belongs to db-kill.containers, not to db-kill: a file
  // is its longest matching journal's.
  const owner = (name: string): string | undefined => bases.filter((b) => name.startsWith(`${b}.`)).sort((a, b) => b.length - a.length)[0];
  for (const name of names) {
    if (name.endsWith('.html') || name.endsWith('.tmp') || owner(name) !== base) continue;
    await copyFile(join(dirname(journal), name), join(dirname(target), name));
  }
}

/** Joins every source's trends into the destination's, then adds each destination journal's own run. */
async function mergeTrends(sources: readonly string[], dest: string): Promise<number> {
  const written = new Set<string>();
  for (const source of sources) {
    if (resolve(source) === resolve(dest)) continue;
    for (const { key, runs } of await readTrendFiles(source)) {
      written.add(await writeTrend(dest, key, mergeTrendRecords(await readTrend(dest, key), runs)));
    }
  }
  // A shard artifact may carry journals but no history (a fresh CI machine keeps none): each
  // journal still adds its own run, once.
  for (const file of await journalFiles(dest)) {
    let journal: unknown;
    try {
      journal = JSON.parse(await readFile(file, 'utf8'));
    } catch {
      continue; // half-written: the index shows it as an error row
    }
    const path = await appendTrend(dest, journal).catch((err: unknown) => {
      // JSON that is not a journal has no run to add; anything else (a full disk) is real.
      if ((err as { code?: string }).code === 'HARN_REPORT_JOURNAL_INVALID') return undefined;
      throw err;
    });
    if (path) written.add(path);
  }
  return written.size;
}
