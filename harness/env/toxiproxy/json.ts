/**
 * JSON the way Toxiproxy's Go server reads and writes it, so request edge cases answer the same:
 * only the first JSON value of a body is read (trailing bytes are ignored), keys match struct fields
 * case-insensitively, `null` leaves a field at its default, an int64 field rejects `1.5` and `"1"`,
 * and output escapes `<`, `>` and `&` like json.Marshal. Numbers keep their source text so that the
 * int64 check can tell `1` from `1.0`.
 */

/** A parsed JSON value; numbers keep their literal text. */
export type JsonValue =
  | { kind: 'null' }
  | { kind: 'bool'; value: boolean }
  | { kind: 'number'; raw: string }
  | { kind: 'string'; value: string }
  | { kind: 'array'; items: JsonValue[] }
  | { kind: 'object'; entries: Array<[string, JsonValue]> };

/** A decode failure; `message` is the Go error text that follows "bad request body: ". */
export class GoJsonError extends Error {}

const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
// eslint-disable-next-line no-control-regex -- a JSON string may not hold raw control characters (RFC 8259 §7)
const STRING = /"(?:[^"\\\u0000-\u001f]|\\(?:["\\/bfnrt]|u[0-9a-fA-F]{4}))*"/y;

/** Parses the first JSON value of `text`. An empty body is `EOF`, a cut-off one `unexpected EOF`. */
export function parseFirstJsonValue(text: string): JsonValue {
  let pos = 0;
  const skipSpace = (): void => {
    while (pos < text.length && ' \t\r\n'.includes(text[pos]!)) pos++;
  };
  const fail = (context: string): never => {
    if (pos >= text.length) throw new GoJsonError('unexpected EOF');
    throw new GoJsonError(`invalid character ${JSON.stringify(text[pos])} ${context}`.replace(/"/g, "'"));
  };
  const value = (): JsonValue => {
    skipSpace();
    const c = text[pos];
    if (c === '{') {
      pos++;
      const entries: Array<[string, JsonValue]> = [];
      skipSpace();
      if (text[pos] === '}') return (pos++, { kind: 'object', entries });
      for (;;) {
        skipSpace();
        if (text[pos] !== '"') fail('looking for beginning of object key string');
        const key = string();
        skipSpace();
        if (text[pos] !== ':') fail('after object key');
        pos++;
        entries.push([key, value()]);
        skipSpace();
        if (text[pos] === ',') {
          pos++;
          continue;
        }
        if (text[pos] === '}') return (pos++, { kind: 'object', entries });
        fail('after object key:value pair');
      }
    }
    if (c === '[') {
      pos++;
      const items: JsonValue[] = [];
      skipSpace();
      if (text[pos] === ']') return (pos++, { kind: 'array', items });
      for (;;) {
        items.push(value());
        skipSpace();
        if (text[pos] === ',') {
          pos++;
          continue;
        }
        if (text[pos] === ']') return (pos++, { kind: 'array', items });
        fail('after array element');
      }
    }
    if (c === '"') return { kind: 'string', value: string() };
    for (const [word, parsed] of [
      ['true', { kind: 'bool', value: true }],
      ['false', { kind: 'bool', value: false }],
      ['null', { kind: 'null' }],
    ] as const) {
      if (text.startsWith(word, pos)) return ((pos += word.length), parsed);
      if (word.startsWith(text.slice(pos)) && pos < text.length) {
        pos = text.length;
        fail('');
      }
    }
    NUMBER.lastIndex = pos;
    const m = NUMBER.exec(text);
    if (m) return ((pos += m[0].length), { kind: 'number', raw: m[0] });
    return fail('looking for beginning of value');
  };
  const string = (): string => {
    STRING.lastIndex = pos;
    const m = STRING.exec(text);
    if (!m) {
      pos = text.indexOf('"', pos + 1) === -1 ? text.length : pos + 1;
      return fail('in string literal');
    }
    pos += m[0].length;
    return JSON.parse(m[0]) as string;
  };
  skipSpace();
  if (pos >= text.length) throw new GoJsonError('EOF');
  return value();
}

/** The Go type a struct field decodes into. */
export type GoFieldType = 'string' | 'int64' | 'float32' | 'bool';

const kindName = (v: JsonValue): string => (v.kind === 'bool' ? 'bool' : v.kind);

/** Rounds to float32 and back to the shortest decimal, so output matches Go's float32 formatting. */
export function float32(value: number): number {
  const f = Math.fround(value);
  for (let p = 1; p <= 9; p++) {
    const candidate = Number(f.toPrecision(p));
    if (Math.fround(candidate) === f) return candidate;
  }
  return f;
}

/** `v` as a Go field of `type`; a GoJsonError (returned, not thrown) when it does not fit. */
function convert(v: JsonValue, type: GoFieldType): unknown {
  switch (type) {
    case 'string':
      return v.kind === 'string' ? v.value : undefined;
    case 'bool':
      return v.kind === 'bool' ? v.value : undefined;
    case 'float32':
      return v.kind === 'number' ? float32(Number(v.raw)) : undefined;
    case 'int64': {
      if (v.kind !== 'number') return undefined;
      const n = Number(v.raw);
      if (!/^-?\d+$/.test(v.raw) || Math.abs(n) >= 2 ** 63) return new GoJsonError(`number ${v.raw}`);
      return n;
    }
  }
}

/**
 * Decodes a JSON object into `target` like encoding/json into a Go struct: exact key match first,
 * then case-insensitive; unknown keys and `null` are skipped. Like Go it keeps going after a type
 * mismatch (fields already set stay set) and throws the first mismatch at the end.
 */
export function decodeStruct(value: JsonValue, structName: string, fields: Readonly<Record<string, GoFieldType>>, target: Record<string, unknown>): void {
  if (value.kind === 'null') return;
  if (value.kind !== 'object') throw new GoJsonError(`json: cannot unmarshal ${kindName(value)} into Go value of type ${structName}`);
  const names = Object.keys(fields);
  let first: GoJsonError | undefined;
  for (const [key, v] of value.entries) {
    const field = names.find((n) => n === key) ?? names.find((n) => n.toLowerCase() === key.toLowerCase());
    if (field === undefined || v.kind === 'null') continue;
    const type = fields[field]!;
    const converted = convert(v, type);
    if (converted === undefined || converted instanceof GoJsonError) {
      const what = converted instanceof GoJsonError ? converted.message : kindName(v);
      first ??= new GoJsonError(`json: cannot unmarshal ${what} into Go struct field ${structName}.${field} of type ${type}`);
      continue;
    }
    target[field] = converted;
  }
  if (first) throw first;
}

/** The value of the first key matching `name` case-insensitively (exact match preferred; last wins like Go). */
export function findField(value: JsonValue, name: string): JsonValue | undefined {
  if (value.kind !== 'object') return undefined;
  let found: JsonValue | undefined;
  let exact = false;
  for (const [key, v] of value.entries) {
    if (key === name) {
      found = v;
      exact = true;
    } else if (!exact && key.toLowerCase() === name.toLowerCase()) found = v;
  }
  return found;
}

/** json.Marshal output: compact, with `<`, `>`, `&`, U+2028 and U+2029 escaped. */
export function goMarshal(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, '\\u003c')
    .replace(/>/g, '\\u003e')
    .replace(/&/g, '\\u0026')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}
