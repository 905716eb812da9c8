/**
 * Every path the docs name points at something that exists: each *.md file of the repository and
 * each // or /* comment in a *.ts file is scanned for references, and a reference whose target is
 * missing fails this test with its file:line.
 *
 * What counts as a reference (anything else is prose, a URL, a package or an example):
 * - a path rooted at a top-level folder of the repository (`system/…`, `harness/…`, `scenarios/…`),
 *   resolved from the repository root;
 * - a `./…` or `../…` path naming a file (it has an extension) or a folder (it ends in `/`),
 *   resolved from the file's folder (in a code comment, from the repository root too: examples are
 *   often written from there). `./data` or `../x` without either is a value (a default directory,
 *   a hostile name), not a reference;
 * - a markdown link target or link definition that is not a URL or an anchor, from the file's folder.
 * Inside a ```fenced``` block only rooted paths count: a relative path there is relative to the
 * file the example stands for (a scenario file, a script), which the block does not name.
 * A path holding a glob or a placeholder (`*`, `?`, `{…}`, `<kind>`, `…`, `$x`) is a pattern, not a
 * reference, and is skipped. `reports/` and `data/` are written by runs, and so are the `*.html`
 * pages (none is checked in), so paths to them are not checked. A path that leaves the repository
 * (`../shared/…` from the root) is broken: a checkout has nothing there.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
/** Folders a rooted reference may start with: the checked-in top-level folders. */
const ROOTED = ['system', 'harness', 'scenarios'];
/** Never walked: installed, generated or run output. */
const SKIPPED_DIRS = new Set(['node_modules', 'reports', 'data', 'dist', '.git', '.tmp']);

/**
 * Broken references in files this change did not own, each exactly as the test reports it
 * (`file:line → reference`). Fix the reference, then delete its line here: the test fails on an
 * entry that no longer breaks, so this list can only shrink.
 */
const KNOWN_BROKEN: readonly string[] = [];

export interface Reference {
  /** Repository-relative file the reference is in. */
  file: string;
  line: number;
  /** The reference as written. */
  text: string;
  /** Repository-relative candidates; the reference resolves when any one exists. */
  targets: string[];
}

const PATH_CHARS = String.raw`[\w.@+\-/]`;
const ROOTED_PATH = new RegExp(String.raw`(?<![\w./@:-])(?:${ROOTED.join('|')})/${PATH_CHARS}*`, 'g');
const RELATIVE_PATH = new RegExp(String.raw`(?<![\w./@:-])\.\.?/${PATH_CHARS}+`, 'g');
/** Characters that make a path a pattern or a placeholder, when they touch it. */
const PATTERN_AFTER = /^[*?{<$…[%]/;
const MD_LINK = /\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g;
const MD_LINK_DEFINITION = /^\s*\[[^\]]+\]:\s*<?(\S+?)>?(?:\s|$)/;

/** Trailing sentence punctuation is not part of a path. */
const trimPath = (path: string): string => path.replace(/[.,:;]+$/, '');
const isUrlOrAnchor = (target: string): boolean => /^[a-z][a-z0-9+.-]*:/i.test(target) || target.startsWith('#') || target.startsWith('//');

/** A relative path must name a file (an extension) or a folder (a trailing slash). */
const looksLikeFileOrFolder = (path: string): boolean => path.endsWith('/') || /\.[A-Za-z0-9]+$/.test(path.split('/').pop()!);

/** The rooted and relative paths in one line of text (markdown prose, code block or comment), in order. */
function pathsIn(line: string): { text: string; rooted: boolean }[] {
  const found: { text: string; rooted: boolean; at: number }[] = [];
  for (const [pattern, rooted] of [
    [ROOTED_PATH, true],
    [RELATIVE_PATH, false],
  ] as const) {
    for (const m of line.matchAll(pattern)) {
      const after = line.slice(m.index + m[0].length);
      if (PATTERN_AFTER.test(after)) continue;
      const text = trimPath(m[0]);
      if (!rooted && (!looksLikeFileOrFolder(text) || /^(\.\.?\/)+$/.test(text))) continue;
      found.push({ text, rooted, at: m.index });
    }
  }
  return found.sort((a, b) => a.at - b.at).map(({ text, rooted }) => ({ text, rooted }));
}

/** Written by runs, so absent from a checkout: reports/, data/ and every HTML page. */
const isRunOutput = (target: string): boolean => /^(reports|data)(\/|$)/.test(target) || target.endsWith('.html');

const norm = (path: string): string => path.split(sep).join('/');
const fromRoot = (path: string): string => norm(relative(ROOT, resolve(ROOT, path)));

/** References in a markdown file's text. */
export function markdownReferences(file: string, text: string): Reference[] {
  const refs: Reference[] = [];
  const dir = dirname(file);
  let fenced = false;
  text.split('\n').forEach((line, i) => {
    if (/^\s*(```|~~~)/.test(line)) {
      fenced = !fenced;
      return;
    }
    const add = (refText: string, targets: string[]) => refs.push({ file, line: i + 1, text: refText, targets });
    for (const { text: path, rooted } of pathsIn(line)) {
      if (rooted) add(path, [fromRoot(path)]);
      else if (!fenced) add(path, [fromRoot(join(dir, path))]);
    }
    if (fenced) return;
    const targets = [...line.matchAll(MD_LINK)].map((m) => m[1]!);
    const definition = MD_LINK_DEFINITION.exec(line)?.[1];
    if (definition !== undefined) targets.push(definition);
    for (const target of targets) {
      const path = decodeURI(target.replace(/[#?].*$/, ''));
      if (isUrlOrAnchor(target) || path === '' || /[*?{<$…]/.test(path)) continue;
      // A rooted or ./ link target was already checked as a path above.
      if (pathsIn(` ${path}`).some((p) => trimPath(p.text) === trimPath(path))) continue;
      add(path, [fromRoot(path.startsWith('/') ? path.slice(1) : join(dir, path))]);
    }
  });
  return refs;
}

/** Every // and /* comment of a TypeScript file, with the line it starts on. */
export function commentsOf(text: string): { line: number; text: string }[] {
  const source = ts.createSourceFile('x.ts', text, ts.ScriptTarget.Latest, false, ts.ScriptKind.TS);
  const seen = new Map<number, string>();
  const collect = (ranges: ts.CommentRange[] | undefined) => {
    for (const r of ranges ?? []) seen.set(r.pos, text.slice(r.pos, r.end));
  };
  const visit = (node: ts.Node) => {
    collect(ts.getLeadingCommentRanges(text, node.pos));
    collect(ts.getTrailingCommentRanges(text, node.end));
    for (const child of node.getChildren(source)) visit(child);
  };
  visit(source);
  return [...seen].sort(([a], [b]) => a - b).map(([pos, comment]) => ({ line: source.getLineAndCharacterOfPosition(pos).line + 1, text: comment }));
}

/** References in a TypeScript file's comments. */
export function commentReferences(file: string, text: string): Reference[] {
  const dir = dirname(file);
  return commentsOf(text).flatMap((comment) =>
    comment.text.split('\n').flatMap((line, offset) =>
      pathsIn(line).map(({ text: path, rooted }) => ({
        file,
        line: comment.line + offset,
        text: path,
        targets: rooted ? [fromRoot(path)] : [fromRoot(join(dir, path)), fromRoot(path)],
      })),
    ),
  );
}

function walk(dir: string, out: string[] = []): string[] {
  for (const entry of readdirSync(join(ROOT, dir), { withFileTypes: true })) {
    const path = dir === '' ? entry.name : `${dir}/${entry.name}`;
    if (entry.isDirectory()) {
      if (!SKIPPED_DIRS.has(entry.name)) walk(path, out);
    } else if (/\.(md|ts)$/.test(entry.name)) {
      out.push(path);
    }
  }
  return out;
}

const describeRef = (r: Reference): string => `${r.file}:${r.line} → ${r.text}`;
const resolves = (r: Reference): boolean => r.targets.some((t) => !t.startsWith('..') && existsSync(join(ROOT, t)));
const checked = (r: Reference): boolean => !r.targets.some(isRunOutput);

describe('references in docs and comments', () => {
  const files = walk('');
  const refs = files.flatMap((file) => {
    const text = readFileSync(join(ROOT, file), 'utf8');
    return file.endsWith('.md') ? markdownReferences(file, text) : commentReferences(file, text);
  });

  it('every path named in a *.md file or a *.ts comment exists (KNOWN_BROKEN aside)', () => {
    const broken = refs.filter((r) => checked(r) && !resolves(r)).map(describeRef);
    expect(broken.filter((b) => !KNOWN_BROKEN.includes(b))).toEqual([]);
    // An entry that resolves now (or moved) must leave the list.
    expect(KNOWN_BROKEN.filter((k) => !broken.includes(k))).toEqual([]);
  });

  it('scans the repository, not nothing', () => {
    expect(files.filter((f) => f.endsWith('.md')).length).toBeGreaterThan(20);
    expect(files.filter((f) => f.endsWith('.ts')).length).toBeGreaterThan(200);
    expect(refs.length).toBeGreaterThan(200);
    expect(files.some((f) => f.startsWith('node_modules/') || f.startsWith('reports/'))).toBe(false);
  });
});

describe('reference extraction', () => {
  const texts = (refs: Reference[]) => refs.map((r) => r.text);
  const broken = (refs: Reference[]) => refs.filter((r) => checked(r) && !resolves(r)).map((r) => `${r.line} ${r.text}`);

  it('finds rooted, relative and linked paths in markdown, and reports the missing ones with their line', () => {
    const md = [
      'See `harness/runner/sut.ts` and system/events/, then harness/nope.ts.',
      'A [link](../runner/README.md), a [missing one](./missing.md#part) and [def]: ../gone/file.ts',
      '```sh',
      'oya run scenarios/integration/single-bead.yaml --schema ../schema.json   # only rooted paths count in a fence',
      '```',
      'Out of the checkout: [spec](../../../shared/spec.md); run output: reports/index.html, [page](../../reports/x/y.html), `./data`, `../x`.',
    ].join('\n');
    const refs = markdownReferences('harness/lanes/README.md', md);
    expect(texts(refs)).toEqual([
      'harness/runner/sut.ts',
      'system/events/',
      'harness/nope.ts',
      '../runner/README.md',
      './missing.md',
      '../gone/file.ts',
      'scenarios/integration/single-bead.yaml',
      '../../../shared/spec.md',
      '../../reports/x/y.html',
    ]);
    expect(broken(refs)).toEqual(['1 harness/nope.ts', '2 ./missing.md', '2 ../gone/file.ts', '6 ../../../shared/spec.md']);
  });

  it('skips URLs, packages, absolute paths, globs and placeholders', () => {
    const md = [
      'https://github.com/Shopify/toxiproxy/blob/main/harness/x.go and <https://example.com/system/y>',
      'scenarios/*.yaml, scenarios/<kind>/, harness/cli/commands/<name>.ts, system/{a,b}.ts, reports/junit.xml',
      '@surrealdb/node, node:fs/promises, /proc/<pid>/root, ws://HOST:PORT/rpc, ok/fail, [top](#anchor), [web](https://x.y/z)',
    ].join('\n');
    expect(markdownReferences('README.md', md)).toEqual([]);
  });

  it('reads // and /* comments of TypeScript, never strings, templates or regexps', () => {
    const source = [
      "const url = 'harness/nope-in-a-string.ts'; // but harness/nope-in-a-comment.ts",
      'const t = `http://x/${1}harness/nope-in-a-template.ts`; const r = /\\/\\/ harness\\/nope-in-a-regexp.ts/;',
      '/**',
      ' * Spawns ../runner/sut.ts and ./missing.ts.',
      ' */',
      'function f() {',
      '  // system/errors.ts, before a closing brace',
      '}',
    ].join('\n');
    const refs = commentReferences('harness/lanes/x.ts', source);
    expect(texts(refs)).toEqual(['harness/nope-in-a-comment.ts', '../runner/sut.ts', './missing.ts', 'system/errors.ts']);
    expect(broken(refs)).toEqual(['1 harness/nope-in-a-comment.ts', '4 ./missing.ts']);
  });
});
