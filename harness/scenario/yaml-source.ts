/**
 * YAML with positions. Parses with the `yaml` package's Document API and a LineCounter so every
 * issue found later (by zod or a cross-field check) can be pointed at file:line:col via its path.
 */
import { LineCounter, isMap, isScalar, isSeq, parseDocument, type Document, type Node } from 'yaml';
import { ScenarioSourceError } from './errors.ts';

/** A parsed YAML file that can answer "where is the node at this path?". */
export interface YamlSource {
  file: string;
  /** The plain JS value of the document (what the schema validates). */
  value: unknown;
  /** 1-based line and column of the node at `path`, or of its nearest existing ancestor. */
  locate(path: ReadonlyArray<string | number>, opts?: { atKey?: boolean }): { line: number; column: number };
}

/** Parses YAML text. Throws ScenarioSourceError (file:line:col) on the first syntax error. */
export function parseYamlSource(text: string, file: string): YamlSource {
  const lineCounter = new LineCounter();
  // uniqueKeys (the default) makes a repeated key a syntax error rather than a silent override.
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const first = doc.errors[0];
  if (first) {
    const pos = lineCounter.linePos(first.pos[0]);
    throw new ScenarioSourceError(file, pos.line, pos.col, `YAML syntax: ${first.message.split('\n')[0]}`, first);
  }
  let value: unknown;
  try {
    value = doc.toJS({ maxAliasCount: 100 });
  } catch (err) {
    throw new ScenarioSourceError(file, 1, 1, `YAML could not be read: ${(err as Error).message}`, err);
  }
  return {
    file,
    value,
    locate: (path, opts = {}) => {
      const offset = offsetOf(doc, path, opts.atKey ?? false);
      const pos = lineCounter.linePos(offset);
      return { line: pos.line, column: pos.col };
    },
  };
}

function offsetOf(doc: Document, path: ReadonlyArray<string | number>, atKey: boolean): number {
  let node: unknown = doc.contents;
  let offset = rangeStart(node) ?? 0;
  for (let i = 0; i < path.length; i++) {
    const segment = path[i];
    const last = i === path.length - 1;
    if (isMap(node)) {
      const pair = node.items.find((p) => (isScalar(p.key) ? String(p.key.value) : String(p.key)) === String(segment));
      if (!pair) return offset;
      const keyStart = rangeStart(pair.key);
      // Unknown keys and empty values point at the key itself.
      if ((last && atKey) || pair.value === null || rangeStart(pair.value) === undefined) return keyStart ?? offset;
      node = pair.value;
    } else if (isSeq(node) && typeof segment === 'number') {
      const item = node.items[segment];
      if (item === undefined) return offset;
      node = item;
    } else {
      return offset;
    }
    offset = rangeStart(node) ?? offset;
  }
  return offset;
}

function rangeStart(node: unknown): number | undefined {
  return (node as Node | null)?.range?.[0];
}
