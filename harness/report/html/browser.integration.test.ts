/**
 * The reports in a real browser: Debian's chromium, driven by playwright-core, opening the pages
 * from file:// exactly as a user would after `npx vitest --project chaos`. It checks that nothing
 * errors or loads from the network, that the charts really render (series, shaded fault windows,
 * non-zero geometry, theme colours applied), that hostile journal text stays text, and saves
 * screenshots under reports/screenshots/ for people (and CI artifacts) to look at. The index at
 * desktop and phone widths has its own test (index-browser.integration.test.ts).
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium, SCREENSHOTS, type DomElement } from './chromium.test-helper.ts';
import { buildJournal } from './journal-fixture.test-helper.ts';
import { writeReports } from './write-reports.ts';
const HOSTILE = '<script>window.__pwned = 1</script><img src=x onerror="window.__pwned = 2">';

/** The few browser globals the page-side callbacks use (the project compiles without the DOM lib). */
interface BrowserGlobals {
  getComputedStyle(element: unknown): { fill: string; textAlign: string; backgroundColor: string };
}

let browser: Browser | undefined;
let reportDir = '';

beforeAll(async () => {
  browser = await launchChromium();
  reportDir = await mkdtemp(join(tmpdir(), 'oya-html-browser-'));
  await mkdir(join(reportDir, 'chaos'));
  await mkdir(join(reportDir, 'integration'));
  await writeFile(join(reportDir, 'chaos', 'db-outage.json'), JSON.stringify(buildJournal()));
  const concurrent = buildJournal({
    name: 'concurrent-beads',
    kind: 'integration',
    description: '10 concurrent beads, no faults.',
    faults: [],
    violations: false,
    beads: 60,
    rate: 2,
    thresholds: { 'latency.p99': '< 10s', 'throughput.mean': '>= 60/m' },
  });
  await writeFile(join(reportDir, 'integration', 'concurrent-beads.json'), JSON.stringify(concurrent));
  const hostile = buildJournal({ name: `hostile ${HOSTILE}`, description: HOSTILE, witnessText: HOSTILE, faults: [[HOSTILE, 2000, 4000]], beads: 40 });
  await writeFile(join(reportDir, 'chaos', 'hostile.json'), JSON.stringify(hostile));
  await writeReports(reportDir);
  await mkdir(SCREENSHOTS, { recursive: true });
}, 120_000);

afterAll(async () => {
  await browser?.close();
  if (reportDir) await rm(reportDir, { recursive: true, force: true });
});

/** Opens a report page and collects every console error, page error, dialog and network request. */
async function open(relative: string, colorScheme: 'light' | 'dark' = 'light') {
  const context = await browser!.newContext({ viewport: { width: 1280, height: 900 }, colorScheme });
  const page = await context.newPage();
  const problems: string[] = [];
  const requests: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error' || m.type() === 'warning') problems.push(`console ${m.type()}: ${m.text()}`);
  });
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('dialog', (d) => {
    problems.push(`dialog: ${d.message()}`);
    void d.dismiss();
  });
  page.on('request', (r) => requests.push(r.url()));
  const url = pathToFileURL(join(reportDir, relative)).href;
  await page.goto(url, { waitUntil: 'load' });
  return { page, problems, requests, url, close: () => context.close() };
}

async function chart(page: Page, kind: string) {
  return page.$eval(`svg[data-chart="${kind}"]`, (svg: DomElement) => ({
    series: svg.querySelectorAll('g.series').length,
    paths: [...svg.querySelectorAll('g.series path')].filter((p) => (p as unknown as { getTotalLength(): number }).getTotalLength() > 0).length,
    windows: [...svg.querySelectorAll('g.fault-window rect')].map((r) => ({
      width: (r as unknown as { getBBox(): { width: number } }).getBBox().width,
      fill: (globalThis as unknown as BrowserGlobals).getComputedStyle(r).fill,
    })),
    width: svg.getBoundingClientRect().width,
  }));
}

describe('HTML reports in chromium', () => {
  it('renders a chaos scenario page: charts drawn, fault windows shaded, nothing loaded, no errors', async () => {
    const { page, problems, requests, url, close } = await open('chaos/db-outage.html');
    try {
      expect(problems).toEqual([]);
      expect(requests).toEqual([url]); // the page itself, nothing else
      const latency = await chart(page, 'latency-over-time');
      expect(latency).toMatchObject({ series: 4, paths: 4 });
      expect(latency.windows).toHaveLength(2);
      for (const w of latency.windows) {
        expect(w.width).toBeGreaterThan(0);
        expect(w.fill).not.toMatch(/^(none|rgba\(0, 0, 0, 0\))$/);
      }
      expect(latency.width).toBeGreaterThan(600);
      expect((await chart(page, 'throughput-over-time')).windows).toHaveLength(2);
      expect(await chart(page, 'hdr-distribution')).toMatchObject({ series: 4, paths: 4 });
      expect(await page.locator('svg[data-chart="timeline"] g.fault-bar').count()).toBe(2);
      expect(await page.locator('table.gates tr.row-fail').count()).toBe(3);
      expect(await page.locator('table.percentiles tbody tr').count()).toBe(4);
      const align = await page.$eval('table.percentiles td.num', (td) => (globalThis as unknown as BrowserGlobals).getComputedStyle(td).textAlign);
      expect(align).toBe('right');
      // Failing checks are open; a violation's witness opens on click.
      const witness = page.locator('details.check[data-check="doubleSideEffects"] details.violation pre');
      await expect.poll(() => witness.isVisible()).toBe(false);
      await page.locator('details.check[data-check="doubleSideEffects"] details.violation summary').click();
      await expect.poll(() => witness.isVisible()).toBe(true);
      await page.screenshot({ path: join(SCREENSHOTS, 'chaos-db-outage-light.png'), fullPage: true });
    } finally {
      await close();
    }
  });

  it('follows the dark colour scheme', async () => {
    const { page, problems, close } = await open('chaos/db-outage.html', 'dark');
    try {
      expect(problems).toEqual([]);
      const background = await page.$eval('body', (b) => (globalThis as unknown as BrowserGlobals).getComputedStyle(b).backgroundColor);
      const [r, g, b] = background.match(/\d+/g)!.map(Number) as [number, number, number];
      expect(r + g + b).toBeLessThan(120);
      await page.screenshot({ path: join(SCREENSHOTS, 'chaos-db-outage-dark.png'), fullPage: true });
    } finally {
      await close();
    }
  });

  it('renders a page without faults: no shaded window, charts still drawn', async () => {
    const { page, problems, close } = await open('integration/concurrent-beads.html');
    try {
      expect(problems).toEqual([]);
      const latency = await chart(page, 'latency-over-time');
      expect(latency).toMatchObject({ series: 4, windows: [] });
      expect(await page.locator('table.gates tr.row-fail').count()).toBe(0);
      await page.screenshot({ path: join(SCREENSHOTS, 'integration-concurrent-beads-light.png'), fullPage: true });
    } finally {
      await close();
    }
  });

  it('keeps hostile journal text as text: no script runs, no element injected', async () => {
    const { page, problems, close } = await open('chaos/hostile.html');
    try {
      expect(problems).toEqual([]);
      expect(await page.evaluate(() => (globalThis as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
      expect(await page.locator('script, img').count()).toBe(0);
      expect(await page.locator('h1').textContent()).toBe(`hostile ${HOSTILE}`);
      expect((await chart(page, 'latency-over-time')).windows).toHaveLength(1);
    } finally {
      await close();
    }
  });

  it('renders the index: one row per scenario across lanes, links that open the pages', async () => {
    const { page, problems, close } = await open('index.html');
    try {
      expect(problems).toEqual([]);
      expect(await page.locator('table.index tr.row').count()).toBe(3);
      await page.screenshot({ path: join(SCREENSHOTS, 'index-light.png'), fullPage: true });
      await page.locator('a', { hasText: 'concurrent-beads' }).click();
      await page.waitForURL(/integration\/concurrent-beads\.html$/);
      expect(await page.locator('h1').textContent()).toBe('concurrent-beads');
      await page.locator('nav.crumbs a').click();
      await page.waitForURL(/index\.html$/);
      expect(problems).toEqual([]);
    } finally {
      await close();
    }
  });
});
