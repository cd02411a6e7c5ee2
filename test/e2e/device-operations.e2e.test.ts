/**
 * Device operations from the console, end to end: the built bridge process, simulated LwM2M
 * devices on real UDP (in this process), headless Chromium. Disable with a 3 s Disable Timeout
 * in both Server-object layouts, Lifetime write followed by the device's Update, Execute on
 * Binding (4.05), and the audit entry of one page seen live by another.
 * Screenshots go to test-artifacts/ (look at them).
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BrowserContext, Page } from 'playwright-core';
import { startSimulator, type Simulator } from '../../bridge/src/simulator/simulator.js';
import { ARTIFACTS, launchChromium, requireBuild, startBridgeProcess, type BridgeProcess } from './e2e-support.js';

const pageErrors: string[] = [];

async function openPage(browser: BrowserContext, url: string): Promise<Page> {
  const page = await browser.newPage();
  page.on('pageerror', (e) => pageErrors.push(e.message));
  await page.goto(url);
  // Outside a test (beforeAll) expect.poll is not available: wait on the DOM.
  await page.locator('[data-test="connection"]', { hasText: 'Live' }).waitFor({ timeout: 15_000 });
  return page;
}

const row = (page: Page, endpoint: string) => page.locator(`.fleet-body .fleet-row[data-endpoint="${endpoint}"]`);

/** Disable through the dialog; returns the effect sentence it stated. */
async function disableFromDevicePage(page: Page): Promise<string> {
  await page.locator('[data-test="disable-open"]').click();
  const effect = page.locator('[data-test="disable-effect"]');
  await effect.waitFor({ timeout: 10_000 });
  return (await effect.textContent()) ?? '';
}

describe('device operations in Chromium against the bridge process (published layout)', () => {
  let bridge: BridgeProcess;
  let sim: Simulator;
  let browser: BrowserContext;
  let page: Page;
  let other: Page;
  const ep = 'pub-0000';

  beforeAll(async () => {
    requireBuild();
    mkdirSync(ARTIFACTS, { recursive: true });
    bridge = await startBridgeProcess(['--downlink-timeout', '5000']);
    sim = startSimulator({ count: 1, server: { host: '127.0.0.1', port: bridge.coapPort }, lifetime: 30, disableTimeout: 3, prefix: 'pub-', ackTimeoutMs: 1000 });
    expect(await sim.started).toBe(1);
    browser = await launchChromium();
    page = await openPage(browser, bridge.httpUrl);
    other = await openPage(browser, bridge.httpUrl);
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await sim?.stop();
    await bridge?.stop();
  });

  it('reads the LwM2M Server object with resource names, values and units', async () => {
    await page.bringToFront();
    await row(page, ep).locator('a').click();
    await page.waitForURL(new RegExp(`/devices/${ep}$`));
    const server = page.locator('[data-test="object-instance"][data-path="/1/0"]');
    await server.locator('[data-test="instance-read"]').click();
    await expect.poll(() => server.locator('[data-test="op-result"]').first().getAttribute('data-code')).toBe('2.05');
    const lifetimeRow = server.locator('[data-test="resource-row"][data-path="/1/0/1"]');
    expect(await lifetimeRow.textContent()).toMatch(/Lifetime[\s\S]*30\s?s/);
    const timeoutRow = server.locator('[data-test="resource-row"][data-path="/1/0/5"]');
    expect(await timeoutRow.textContent()).toMatch(/Disable Timeout[\s\S]*3\s?s/);
    expect(await server.locator('[data-test="op-result"]').first().textContent()).toMatch(/2\.05[\s\S]*\d+ ms/);

    // The Device object: opened, read, names and multiple-instance values shown.
    await page.locator('[data-object="3"] summary').click();
    const device = page.locator('[data-test="object-instance"][data-path="/3/0"]');
    await device.locator('[data-test="instance-read"]').click();
    await expect.poll(() => device.locator('[data-test="resource-row"][data-path="/3/0/0"] [data-test="resource-value"]').textContent()).toBe('lwm2m-console');
    await device.locator('[data-test="instance-discover"]').click();
    await expect.poll(() => device.locator('[data-test="resource-row"][data-path="/3/0/6"] [data-test="resource-attributes"]').textContent()).toContain('dim=2');
    // The page scrolls inside its view: a tall viewport shows registration, Server object and values at once.
    await page.setViewportSize({ width: 1440, height: 2000 });
    await page.locator('.view-device').evaluate((el) => el.scrollTo(0, 0));
    await page.screenshot({ path: join(ARTIFACTS, 'device-operations.png') });
    await page.emulateMedia({ colorScheme: 'dark' });
    await page.screenshot({ path: join(ARTIFACTS, 'device-operations-dark.png') });
    await page.emulateMedia({ colorScheme: 'light' });
    await page.setViewportSize({ width: 1440, height: 900 });
  });

  it('shows 4.05 for an Execute on /1/0/7 (Binding in the published numbering)', async () => {
    await page.locator('[data-test="op-kind"]').selectOption('execute');
    await page.locator('[data-test="op-path"]').fill('/1/0/7');
    await page.locator('[data-test="op-run"]').click();
    const result = page.locator('[data-test="operation-form"] [data-test="op-result"]');
    await expect.poll(() => result.getAttribute('data-code')).toBe('4.05');
    expect(await result.textContent()).toContain('Method Not Allowed');
  });

  it('shows the audit entry of one page live on a second page', async () => {
    await other.goto(`${bridge.httpUrl}/audit`);
    await other.locator('[data-test="audit-row"]').first().waitFor();
    const before = await other.locator('[data-test="audit-row"]').count();
    await page.bringToFront();
    // A Write from the first page; the second page is not reloaded.
    await page.locator('[data-test="op-kind"]').selectOption('write');
    await page.locator('[data-test="op-path"]').fill('/1/0/7');
    await page.locator('[data-test="operation-form"] input[aria-label="Value or arguments"]').fill('U');
    await page.locator('[data-test="op-run"]').click();
    await expect.poll(() => other.locator('[data-test="audit-row"]').count()).toBe(before + 1);
    const newest = other.locator('[data-test="audit-row"]').first();
    expect(await newest.textContent()).toMatch(/console#\d+[\s\S]*pub-0000[\s\S]*write[\s\S]*\/1\/0\/7[\s\S]*2\.04/);
    await other.screenshot({ path: join(ARTIFACTS, 'audit-log.png') });
  });

  it('writes Lifetime by name and the next Update carries it: the row and the device page follow', async () => {
    await page.locator('[data-test="lifetime-input"]').fill('45');
    await page.locator('[data-test="lifetime-write"]').click();
    await expect.poll(() => page.locator('[data-test="server-panel"] [data-test="op-result"]').first().getAttribute('data-code')).toBe('2.04');
    // The device's Update (lt=45) reaches the registry; the countdown restarts from 45 s.
    await expect.poll(() => page.locator('[data-test="device-fields"]').textContent(), { timeout: 10_000 }).toContain('(45 s)');
    // The resource table was read back after the Write.
    expect(await page.locator('[data-test="resource-row"][data-path="/1/0/1"] [data-test="resource-value"]').textContent()).toBe('45');
    await other.goto(bridge.httpUrl);
    await expect.poll(() => row(other, ep).textContent(), { timeout: 10_000 }).toContain('45s');
    expect(sim.devices[0]!.lastUpdateQuery).toContain('lt=45');
    await page.bringToFront();

    await page.locator('[data-test="request-update"]').click();
    await expect.poll(() => page.locator('[data-test="server-panel"] [data-test="op-result"]').nth(1).getAttribute('data-code')).toBe('2.04');
  });

  it('disables a device for its 3 s Disable Timeout, keeps its row as away, and notes its return', async () => {
    const effect = await disableFromDevicePage(page);
    expect(effect).toMatch(/^pub-0000 de-registers and is unreachable for 3 seconds, until \d\d:\d\d:\d\d\.$/);
    await page.screenshot({ path: join(ARTIFACTS, 'disable-dialog.png') });
    await page.locator('[data-test="disable-confirm"]').click();
    await page.locator('[data-test="disable-done"]').waitFor();
    expect(await page.locator('[data-test="disable-dialog"] [data-test="op-result"]').last().getAttribute('data-code')).toBe('2.04');

    // The other page, on the fleet view: the row stays, in the away state, counted in the totals.
    const away = row(other, ep);
    await expect.poll(() => away.getAttribute('data-state'), { timeout: 5_000 }).toBe('away');
    expect(await away.locator('[data-test="away-state"]').textContent()).toMatch(/disabled, expected back at \d\d:\d\d:\d\d/);
    expect(await other.locator('[data-test="total-away"]').textContent()).toBe('1');
    await other.screenshot({ path: join(ARTIFACTS, 'fleet-away-row.png') });
    await other.emulateMedia({ colorScheme: 'dark' });
    await other.screenshot({ path: join(ARTIFACTS, 'fleet-away-row-dark.png') });
    await other.emulateMedia({ colorScheme: 'light' });

    await page.bringToFront();
    await page.locator('[data-test="disable-close"]').click();
    await expect.poll(() => page.locator('[data-test="device-state"]').textContent()).toContain('disabled, expected back at');
    await page.screenshot({ path: join(ARTIFACTS, 'device-away.png') });

    // About 3 s later the device registers again: row back to registered, return noted.
    await expect.poll(() => away.getAttribute('data-state'), { timeout: 10_000 }).toBe('registered');
    expect(await other.locator('[data-test="total-away"]').textContent()).toBe('0');
    await expect.poll(() => page.locator('[data-test="timeline"]').textContent(), { timeout: 5_000 }).toMatch(/back after Disable \(away \d+\.\d s\), \d+(\.\d)? m?s (early|late)/);
    expect(await page.locator('[data-test="timeline"]').textContent()).toContain('disabled, expected back at');
    await other.bringToFront();
    await other.locator('.nav-link', { hasText: 'Activity' }).click();
    await expect.poll(() => other.locator('[data-test="activity-row"][data-kind="registered"]').first().textContent()).toMatch(/pub-0000[\s\S]*back after Disable/);
  });

  it('follows a per-device layout choice: draft numbering on a published device reads /1/0/8 and gets 4.05', async () => {
    await page.bringToFront();
    await page.locator('[data-test="layout-select"]').selectOption('draft');
    await page.locator('[data-test="layout-select"]').locator('xpath=..').locator('button[type="submit"]').click();
    await expect.poll(() => page.locator('[data-test="device-layout"]').textContent()).toBe('draft');
    await page.locator('[data-test="disable-open"]').click();
    await expect.poll(() => page.locator('[data-test="disable-problem"]').textContent()).toContain('Could not read Disable Timeout (/1/0/8)');
    expect(await page.locator('[data-test="disable-dialog"] [data-test="op-result"]').getAttribute('data-code')).toBe('4.05');
    await page.locator('[data-test="disable-close"]').click();
    await page.locator('[data-test="layout-select"]').selectOption('');
    await page.locator('[data-test="layout-select"]').locator('xpath=..').locator('button[type="submit"]').click();
    await expect.poll(() => page.locator('[data-test="device-layout"]').textContent()).toBe('published');
  });

  it('raised no page errors', () => {
    expect(pageErrors).toEqual([]);
  });
});

describe('Disable with the seed draft numbering (bridge --object-layout draft, draft devices)', () => {
  let bridge: BridgeProcess;
  let sim: Simulator;
  let browser: BrowserContext;
  let page: Page;
  const ep = 'draft-0000';

  beforeAll(async () => {
    requireBuild();
    bridge = await startBridgeProcess(['--object-layout', 'draft', '--downlink-timeout', '5000']);
    sim = startSimulator({ count: 1, server: { host: '127.0.0.1', port: bridge.coapPort }, lifetime: 30, disableTimeout: 3, prefix: 'draft-', layout: 'draft', ackTimeoutMs: 1000 });
    expect(await sim.started).toBe(1);
    browser = await launchChromium();
    page = await openPage(browser, `${bridge.httpUrl}/devices/${ep}`);
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await sim?.stop();
    await bridge?.stop();
  });

  it('resolves Disable (7) and Disable Timeout (8) by name and the device comes back', async () => {
    await page.locator('[data-test="server-panel"]').waitFor();
    expect(await page.locator('[data-test="device-layout"]').textContent()).toBe('draft');
    const effect = await disableFromDevicePage(page);
    expect(effect).toContain('unreachable for 3 seconds');
    expect(await page.locator('[data-test="disable-dialog"]').textContent()).toMatch(/Executes \/1\/0\/7 \(Disable\)[\s\S]*\/1\/0\/8 = 3 s/);
    await page.screenshot({ path: join(ARTIFACTS, 'disable-dialog-draft.png') });
    await page.locator('[data-test="disable-confirm"]').click();
    await page.locator('[data-test="disable-done"]').waitFor();
    await page.locator('[data-test="disable-close"]').click();
    await expect.poll(() => page.locator('[data-test="device-state"]').textContent()).toContain('disabled, expected back at');
    await expect.poll(() => page.locator('[data-test="device-state"]').textContent(), { timeout: 10_000 }).toBe('registered');
    await expect.poll(() => page.locator('[data-test="timeline"]').textContent()).toMatch(/back after Disable[\s\S]*(early|late)/);
    expect(pageErrors).toEqual([]);
  });
});
