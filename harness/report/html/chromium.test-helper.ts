/**
 * Debian's chromium for the report browser tests, launched by playwright-core. Missing chromium
 * is a FAILURE, not a skip: CI installs it (`apt-get install -y chromium`), and a silently
 * skipped browser test would let a broken report through.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser } from 'playwright-core';

export const CHROMIUM = process.env.OYA_CHROMIUM ?? '/usr/bin/chromium';
const CHROMIUM_ARGS = ['--no-sandbox', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-gpu'];

/**
 * The few DOM members the page-side callbacks (page.$eval / $$eval) use. The project compiles
 * without the DOM lib, so Playwright's element types do not resolve: callbacks annotate their
 * element parameter with this instead.
 */
export interface DomElement {
  querySelector(selector: string): DomElement | null;
  querySelectorAll(selector: string): ArrayLike<DomElement> & Iterable<DomElement>;
  getAttribute(name: string): string | null;
  getBoundingClientRect(): { left: number; right: number; width: number };
}

/** Where the browser tests save screenshots for people (and CI artifacts) to look at. */
export const SCREENSHOTS = fileURLToPath(new URL('../../../reports/screenshots/', import.meta.url));

/** Launches chromium, or throws saying how to install it. */
export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(
      `chromium not found at ${CHROMIUM}. The HTML report test needs a real browser: install Debian's package ` +
        'with `apt-get update && apt-get install -y chromium` (CI does), or point OYA_CHROMIUM at a Chromium binary.',
    );
  }
  return chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
}
