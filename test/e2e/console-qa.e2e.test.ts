/**
 * What an operator sees, page by page, in real Chromium against the bridge process while real
 * libcoap devices come and go: no errors in the browser console, no page wider than a phone's
 * screen, panels that stack instead of overlapping, long endpoint names readable in full.
 * Screenshots go to test-artifacts/ (look at them).
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BrowserContext, Page } from 'playwright-core';
import { ARTIFACTS, coapClient, launchChromium, locationId, requireBuild, startBridgeProcess, type BridgeProcess } from './e2e-support.js';

/** 73 characters, with umlauts and CJK: longer than the fleet's endpoint column at any width. */
const LONG_ENDPOINT = 'Zürich-Gebäude-温度センサー-north-wall-plant-7-building-C-floor-3-sensor-000001';
const PAGES = ['/', '/activity', '/audit', '/security', '/models', `/devices/${encodeURIComponent(LONG_ENDPOINT)}`];

let bridge: BridgeProcess;
let wide: BrowserContext;
let narrow: BrowserContext;

beforeAll(async () => {
  requireBuild();
  mkdirSync(ARTIFACTS, { recursive: true });
  bridge = await startBridgeProcess();
  wide = await launchChromium({ width: 1440, height: 900 });
  narrow = await launchChromium({ width: 390, height: 844 });
  // Every test can run alone (-t): the long-named device is there from the start.
  await register(LONG_ENDPOINT);
}, 60_000);

afterAll(async () => {
  await wide?.close();
  await narrow?.close();
  await bridge?.stop();
});

const coap = (path: string) => `coap://127.0.0.1:${bridge.coapPort}${path}`;

function register(endpoint: string, lifetime = 600): Promise<string> {
  return coapClient(['-m', 'post', '-t', '40', '-e', '</1/0>,</3/0>', coap(`/rd?ep=${endpoint}&lt=${lifetime}`)]).then(locationId);
}

/** Every error the page reports: console errors and warnings, uncaught exceptions, failed requests. */
function collectProblems(page: Page): string[] {
  const problems: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error' || m.type() === 'warning') problems.push(`console.${m.type()}: ${m.text()}`);
  });
  page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
  page.on('requestfailed', (r) => problems.push(`request failed: ${r.url()} ${r.failure()?.errorText ?? ''}`));
  page.on('response', (r) => {
    if (r.status() >= 400) problems.push(`HTTP ${r.status()} ${r.url()}`);
  });
  return problems;
}

async function visit(page: Page, path: string): Promise<void> {
  await page.goto(bridge.httpUrl + path);
  await page.locator('[data-test="connection"]', { hasText: 'Live' }).waitFor({ timeout: 15_000 });
}

const horizontalOverflow = (page: Page) => page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);

/** WCAG 2 contrast ratio between an element's text colour and its own background colour. */
function contrastOf(page: Page, selector: string): Promise<number> {
  return page.locator(selector).first().evaluate((el) => {
    const rgb = (c: string) => (c.match(/[\d.]+/g) ?? []).slice(0, 3).map(Number);
    const lum = (c: string) => {
      const [r, g, b] = rgb(c).map((v) => {
        const x = v / 255;
        return x <= 0.03928 ? x / 12.92 : ((x + 0.055) / 1.055) ** 2.4;
      });
      return 0.2126 * r! + 0.7152 * g! + 0.0722 * b!;
    };
    const style = getComputedStyle(el);
    const [a, b] = [lum(style.color), lum(style.backgroundColor)].sort((x, y) => y - x);
    return (a! + 0.05) / (b! + 0.05);
  });
}

function overlap(a: { x: number; y: number; width: number; height: number }, b: { x: number; y: number; width: number; height: number }): boolean {
  return a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;
}

describe('the console as an operator sees it', () => {
  it('logs no error in the browser console while devices register, update and leave, on any page', async () => {
    const page = await wide.newPage();
    const problems = collectProblems(page);
    await visit(page, '/');

    const ids: string[] = [];
    for (let i = 0; i < 12; i++) ids.push(await register(`qa-dev-${i}`));
    await coapClient(['-m', 'post', coap(`/rd/${ids[0]}?lt=120`)]);
    await coapClient(['-m', 'delete', coap(`/rd/${ids[1]}`)]);
    await page.locator(`.fleet-row[data-endpoint="qa-dev-11"]`).waitFor({ timeout: 15_000 });

    for (const path of PAGES) {
      await page.locator('.nav-link').first().waitFor();
      await visit(page, path);
      await page.waitForTimeout(300);
    }
    await page.screenshot({ path: join(ARTIFACTS, 'console-qa-device-long-name.png'), fullPage: true });
    expect(problems).toEqual([]);
    await page.close();
  }, 90_000);

  it('fits every page in a 390 px wide screen without scrolling sideways, with a 73-character endpoint registered', async () => {
    const page = await narrow.newPage();
    for (const path of PAGES) {
      await visit(page, path);
      await page.waitForTimeout(300);
      expect({ path, overflow: await horizontalOverflow(page) }).toEqual({ path, overflow: 0 });
    }
    // The navigation stays reachable: every link is inside the screen.
    for (const link of await page.locator('.nav-link').all()) {
      const box = (await link.boundingBox())!;
      expect(box.x + box.width).toBeLessThanOrEqual(390);
    }
    await page.close();
  }, 60_000);

  it('stacks the security and models panels on a phone instead of drawing one over the other', async () => {
    const page = await narrow.newPage();
    for (const path of ['/security', '/models']) {
      await visit(page, path);
      const panels = page.locator('.security-grid > .panel');
      await expect.poll(() => panels.count()).toBe(2);
      const [first, second] = [(await panels.nth(0).boundingBox())!, (await panels.nth(1).boundingBox())!];
      expect({ path, overlap: overlap(first, second) }).toEqual({ path, overlap: false });
      await page.screenshot({ path: join(ARTIFACTS, `console-qa-narrow${path.replace('/', '-')}.png`), fullPage: true });
    }
    await page.close();
  }, 60_000);

  it('keeps the fleet inside a wide screen and shows a cut-off endpoint name in full on hover', async () => {
    const page = await wide.newPage();
    await visit(page, '/');
    const link = page.locator(`.fleet-row[data-endpoint="${LONG_ENDPOINT}"] .cell-endpoint a`);
    await link.waitFor();
    expect(await horizontalOverflow(page)).toBe(0);
    // The name is cut off in its column, so the tooltip is the only place it can be read.
    expect(await page.locator(`.fleet-row[data-endpoint="${LONG_ENDPOINT}"] .cell-endpoint`).evaluate((c) => c.scrollWidth > c.clientWidth)).toBe(true);
    expect(await link.getAttribute('title')).toBe(LONG_ENDPOINT);
    await page.screenshot({ path: join(ARTIFACTS, 'console-qa-fleet-long-name.png') });
    await page.close();
  }, 60_000);

  it('keeps the text on filled buttons and badges readable in light and dark mode (contrast 4.5:1 or more)', async () => {
    const page = await wide.newPage();
    for (const colorScheme of ['light', 'dark'] as const) {
      await page.emulateMedia({ colorScheme });
      await visit(page, `/devices/${encodeURIComponent(LONG_ENDPOINT)}`);
      await page.locator('[data-test="op-run"]').waitFor();
      expect(await contrastOf(page, '[data-test="op-run"]'), `${colorScheme}: Send button`).toBeGreaterThanOrEqual(4.5);
      await visit(page, '/activity');
      expect(await contrastOf(page, '.kind.kind-refused'), `${colorScheme}: "refused" badge`).toBeGreaterThanOrEqual(4.5);
      await page.screenshot({ path: join(ARTIFACTS, `console-qa-${colorScheme}-activity.png`) });
    }
    await page.close();
  }, 60_000);
});
