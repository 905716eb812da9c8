/**
 * A small, strict XML 1.0 well-formedness checker and reader for the JUnit tests (no parser
 * dependency in package.json). It rejects what CI parsers reject: unescaped `<` or `&`, unknown
 * entities, bad nesting, duplicate attributes, forbidden characters, more than one root, and
 * returns the tree with entities decoded so tests can compare text with what went in.
 */

export interface XmlElement {
  name: string;
  attrs: Record<string, string>;
  children: XmlElement[];
  /** Text content directly inside this element, decoded. */
  text: string;
}

const NAME = /^[A-Za-z_][\w.-]*/;
const ENTITIES: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };
// eslint-disable-next-line no-control-regex
const FORBIDDEN = /[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

function decode(raw: string, where: number): string {
  if (raw.includes('<')) throw new Error(`unescaped < at ${where}`);
  return raw.replace(/&([^;]*);?/g, (match, body: string) => {
    if (!match.endsWith(';')) throw new Error(`bare & at ${where}`);
    if (body in ENTITIES) return ENTITIES[body]!;
    const num = /^#(\d+)$/.exec(body)?.[1] ?? (/^#x([0-9a-fA-F]+)$/.exec(body) ? String(parseInt(body.slice(2), 16)) : undefined);
    if (num === undefined) throw new Error(`unknown entity &${body}; at ${where}`);
    const ch = String.fromCodePoint(Number(num));
    if (FORBIDDEN.test(ch)) throw new Error(`reference to a forbidden character &${body}; at ${where}`);
    return ch;
  });
}

/** Parses `xml`, throwing an Error that says where on the first well-formedness problem. */
export function parseXml(xml: string): XmlElement {
  const bad = FORBIDDEN.exec(xml);
  if (bad) throw new Error(`forbidden character U+${bad[0].charCodeAt(0).toString(16)} at ${bad.index}`);
  let i = 0;
  const decl = /^<\?xml version="1\.0" encoding="UTF-8"\?>/.exec(xml);
  if (decl) i = decl[0].length;
  const stack: XmlElement[] = [];
  let root: XmlElement | undefined;
  while (i < xml.length) {
    const lt = xml.indexOf('<', i);
    const chunk = lt === -1 ? xml.slice(i) : xml.slice(i, lt);
    if (chunk.length > 0) {
      if (stack.length === 0) {
        if (chunk.trim() !== '') throw new Error(`text outside the root at ${i}`);
      } else {
        if (chunk.includes(']]>')) throw new Error(`]]> in text at ${i}`);
        stack.at(-1)!.text += decode(chunk, i);
      }
    }
    if (lt === -1) break;
    const gt = xml.indexOf('>', lt);
    if (gt === -1) throw new Error(`unclosed tag at ${lt}`);
    const tag = xml.slice(lt + 1, gt);
    if (tag.startsWith('/')) {
      const open = stack.pop();
      if (open === undefined || open.name !== tag.slice(1).trim()) throw new Error(`</${tag.slice(1)}> closes ${open?.name ?? 'nothing'} at ${lt}`);
    } else {
      const selfClosing = tag.endsWith('/');
      const body = selfClosing ? tag.slice(0, -1) : tag;
      const name = NAME.exec(body)?.[0];
      if (name === undefined) throw new Error(`bad tag name at ${lt}`);
      const el: XmlElement = { name, attrs: {}, children: [], text: '' };
      let rest = body.slice(name.length);
      while (rest.trim() !== '') {
        const m = /^\s+([A-Za-z_][\w.:-]*)="([^"]*)"/.exec(rest) ?? /^\s+([A-Za-z_][\w.:-]*)='([^']*)'/.exec(rest);
        if (!m) throw new Error(`bad attribute syntax in <${name}> at ${lt}: ${rest.slice(0, 40)}`);
        if (m[1]! in el.attrs) throw new Error(`duplicate attribute ${m[1]} in <${name}>`);
        el.attrs[m[1]!] = decode(m[2]!, lt);
        rest = rest.slice(m[0].length);
      }
      if (stack.length > 0) stack.at(-1)!.children.push(el);
      else if (root === undefined) root = el;
      else throw new Error(`second root element <${name}> at ${lt}`);
      if (!selfClosing) stack.push(el);
    }
    i = gt + 1;
  }
  if (stack.length > 0) throw new Error(`unclosed <${stack.at(-1)!.name}>`);
  if (root === undefined) throw new Error('no root element');
  return root;
}

/** Every descendant element named `name`, depth first. */
export function findAll(el: XmlElement, name: string): XmlElement[] {
  return el.children.flatMap((c) => [...(c.name === name ? [c] : []), ...findAll(c, name)]);
}
