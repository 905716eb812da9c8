/**
 * JUnit XML for CI from run journals (reports/junit.xml).
 */
export { buildJunitXml, writeJunit } from './junit.ts';
export type { JunitOptions } from './junit.ts';
export { escapeXmlAttr, escapeXmlText } from './xml.ts';
