/**
 * Minimal XML writing for the JUnit report: escaping that is safe for any string a journal holds
 * (scenario names, witness messages and error texts come from files and from the system under
 * test), including characters XML 1.0 cannot carry at all.
 */

/**
 * Characters XML 1.0 forbids even as references: C0 controls except tab/LF/CR, lone surrogates,
 * U+FFFE/U+FFFF. CI parsers reject the whole file on one of them, so they become U+FFFD.
 */
// eslint-disable-next-line no-control-regex
const INVALID_XML_CHARS = /[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

const TEXT_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;' };
// In attributes, whitespace other than a space is normalised away by parsers: keep it as references.
const ATTR_ESCAPES: Record<string, string> = { ...TEXT_ESCAPES, '"': '&quot;', "'": '&apos;', '\n': '&#10;', '\r': '&#13;', '\t': '&#9;' };

function clean(value: unknown): string {
  // eslint-disable-next-line @typescript-eslint/no-base-to-string -- any attribute or text value prints as String() prints it
  return String(value ?? '').replace(INVALID_XML_CHARS, '\ufffd');
}

/** Escapes element content (`>` too, so `]]>` can never appear). */
export function escapeXmlText(value: unknown): string {
  return clean(value).replace(/[&<>]/g, (c) => TEXT_ESCAPES[c]!);
}

/** Escapes a double- or single-quoted attribute value, keeping newlines and tabs. */
export function escapeXmlAttr(value: unknown): string {
  return clean(value).replace(/[&<>"'\n\r\t]/g, (c) => ATTR_ESCAPES[c]!);
}

/** An element: `<name a="…">children</name>`, or `<name a="…"/>` without children. */
export function element(name: string, attrs: Readonly<Record<string, string | number | undefined>>, children: readonly string[] = []): string {
  const attrText = Object.entries(attrs)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => ` ${k}="${escapeXmlAttr(v)}"`)
    .join('');
  return children.length === 0 ? `<${name}${attrText}/>` : `<${name}${attrText}>${children.join('')}</${name}>`;
}

/** Escaped text content. */
export function text(value: unknown): string {
  return escapeXmlText(value);
}
