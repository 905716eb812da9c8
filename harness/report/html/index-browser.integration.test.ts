/**
 * The index of a whole suite's reports (index-fixture.test-helper.ts: ~60 runs with their real
 * scenario descriptions, three failures, a kept history) in Debian's chromium at a desktop
 * (1400×1000) and a phone (390×844) viewport: the failures on the first desktop screen, one line
 * per run, nothing wider than the phone, the filter working with JavaScript OFF. Screenshots are
 * saved under reports/screenshots/ (their paths are printed) for a person to look at.
 */
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium, SCREENSHOTS, type DomElement } from './chromium.test-helper.ts';
import { FIXTURE_FAILURES, writeSuiteFixture } from './index-fixture.test-helper.ts';

let browser: Browser | undefined;
let reportDir = '';
let runs = 0;

beforeAll(async () => {
  browser = await launchChromium();
  reportDir = await mkdtemp(join(tmpdir(), 'oya-index-browser-'));
  runs = await writeSuiteFixture(reportDir);
  await mkdir(SCREENSHOTS, { recursive: true });
}, 120_000);

afterAll(async () => {
  await browser?.close();
  if (reportDir) await rm(reportDir, { recursive: true, force: true });
});

/** The index at a viewport, by default with JavaScript off (the page has none to run), collecting problems. */
async function openIndex(viewport: { width: number; height: number }, javaScriptEnabled = false, colorScheme: 'light' | 'dark' = 'light') {
  const context = await browser!.newContext({ viewport, javaScriptEnabled, colorScheme });
  const page = await context.newPage();
  const problems: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error' || m.type() === 'warning') problems.push(`console ${m.type()}: ${m.text()}`);
  });
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  await page.goto(pathToFileURL(join(reportDir, 'index.html')).href, { waitUntil: 'load' });
  return { page, problems, close: () => context.close() };
}

/** Document-space boxes of the visible rows matching `selector`, measured through Playwright (works with JS off). */
async function rowBoxes(page: Page, selector: string) {
  const boxes: { name: string | null; bottom: number; height: number }[] = [];
  for (const row of await page.locator(selector).all()) {
    if (!(await row.isVisible())) continue;
    const box = (await row.boundingBox())!;
    boxes.push({ name: await row.getAttribute('data-scenario'), bottom: box.y + box.height, height: box.height });
  }
  return boxes;
}

async function screenshot(page: Page, name: string, fullPage: boolean): Promise<string> {
  const path = join(SCREENSHOTS, name);
  await page.screenshot({ path, fullPage });
  process.stdout.write(`screenshot: ${path}\n`);
  return path;
}

describe('the index of a whole suite in chromium', () => {
  it('fits every failure on the first screen at 1400×1000, one line per run, with trends', async () => {
    const { page, problems, close } = await openIndex({ width: 1400, height: 1000 });
    try {
      expect(problems).toEqual([]);
      expect(runs).toBeGreaterThanOrEqual(55);
      expect(await page.locator('tr.row').count()).toBe(runs);
      const failures = await rowBoxes(page, 'tr.row.v-fail, tr.row.v-error');
      expect(failures.map((f) => f.name).sort()).toEqual(Object.keys(FIXTURE_FAILURES).sort());
      for (const f of failures) expect(f.bottom, `${f.name} is below the first screen`).toBeLessThanOrEqual(1000);
      // One line per run: every row is as tall as one line of text (plus padding), none wraps.
      const heights = (await rowBoxes(page, 'tr.row')).map((r) => r.height);
      expect(Math.max(...heights)).toBeLessThan(34);
      expect(await page.locator('tr.row svg.spark-p99').count()).toBeGreaterThan(runs / 2);
      expect(await page.locator('tr.row .chg').first().textContent()).toMatch(/^(p99|throughput) [+−±]\d+ %$/);
      await screenshot(page, 'index-desktop-1400.png', false);
      await screenshot(page, 'index-desktop-1400-full.png', true);
    } finally {
      await close();
    }
  });

  it('never scrolls sideways at 390×844, and the failures still come first', async () => {
    // JavaScript on here, for the test's own measuring (the page still has no script).
    const { page, problems, close } = await openIndex({ width: 390, height: 844 }, true);
    try {
      expect(problems).toEqual([]);
      const scrollWidth = await page.evaluate(
        () => (globalThis as unknown as { document: { documentElement: { scrollWidth: number } } }).document.documentElement.scrollWidth,
      );
      expect(scrollWidth).toBeLessThanOrEqual(390);
      // Inside each stacked row, the name never runs into the duration beside it.
      const overlaps = await page.$$eval('tr.row', (trs: DomElement[]) =>
        trs.flatMap((tr) => {
          const box = (sel: string) => tr.querySelector(sel)!.getBoundingClientRect();
          return box('.c-name').right > box('.c-dur').left + 0.5 ? [tr.getAttribute('data-scenario')] : [];
        }),
      );
      expect(overlaps).toEqual([]);
      const rows = await rowBoxes(page, 'tr.row');
      const failing = new Set(Object.keys(FIXTURE_FAILURES));
      expect(rows.slice(0, failing.size).every((r) => failing.has(r.name!))).toBe(true);
      await screenshot(page, 'index-phone-390.png', false);
      await screenshot(page, 'index-phone-390-full.png', true);
    } finally {
      await close();
    }
  });

  it('marks the failures apart from the passing rows in the dark colour scheme too', async () => {
    const { page, problems, close } = await openIndex({ width: 1400, height: 1000 }, true, 'dark');
    try {
      expect(problems).toEqual([]);
      type Styles = { getComputedStyle(e: unknown): { backgroundColor: string } };
      const background = (selector: string) => page.$eval(selector, (el) => (globalThis as unknown as Styles).getComputedStyle(el).backgroundColor);
      const body = await background('body');
      expect(body).not.toBe('rgb(255, 255, 255)');
      expect(await background('tr.row.v-fail td')).not.toBe(await background('tr.row.v-pass td'));
      await screenshot(page, 'index-desktop-1400-dark.png', false);
    } finally {
      await close();
    }
  });

  it('filters by verdict and by lane with JavaScript off', async () => {
    const { page, problems, close } = await openIndex({ width: 1400, height: 1000 });
    try {
      const visible = async () => (await rowBoxes(page, 'tr.row')).map((r) => r.name);
      await page.locator('label[for="fv-fail"]').click();
      expect((await visible()).sort()).toEqual(
        Object.entries(FIXTURE_FAILURES)
          .filter(([, v]) => v === 'fail')
          .map(([k]) => k)
          .sort(),
      );
      await page.locator('label[for="fv-all"]').click();
      const leak = page.locator('.filters label', { hasText: 'leak' });
      await leak.click();
      expect(await visible()).toEqual(['orchestrator-soak']);
      // A verdict and a lane with no run between them: the page says so.
      await page.locator('label[for="fv-error"]').click();
      expect(await visible()).toEqual([]);
      expect(await page.locator('tbody.g-none').isVisible()).toBe(true);
      await screenshot(page, 'index-desktop-filter-empty.png', false);
      await page.locator('label[for="fl-all"]').click();
      expect(await visible()).toEqual(['db-pause.containers']);
      expect(problems).toEqual([]);
    } finally {
      await close();
    }
  });
});
