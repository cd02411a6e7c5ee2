/**
 * The console, end to end: the built bridge process, real CoAP from libcoap, real Chromium.
 * Screenshots go to test-artifacts/ (look at them).
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BrowserContext, Page } from 'playwright-core';
import { ARTIFACTS, coapClient, launchChromium, locationId, requireBuild, startBridgeProcess, type BridgeProcess } from './e2e-support.js';

let bridge: BridgeProcess;
let browser: BrowserContext;
let page: Page;
const pageErrors: string[] = [];

beforeAll(async () => {
  requireBuild();
  mkdirSync(ARTIFACTS, { recursive: true });
  bridge = await startBridgeProcess();
  browser = await launchChromium();
  page = await browser.newPage();
  page.on('pageerror', (e) => pageErrors.push(e.message));
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await bridge?.stop();
});

const row = (endpoint: string) => page.locator(`.fleet-body .fleet-row[data-endpoint="${endpoint}"]`);
const coap = (path: string) => `coap://127.0.0.1:${bridge.coapPort}${path}`;

async function register(endpoint: string, lifetime: number, links = '</1/0>,</3/0>,</5>'): Promise<string> {
  return locationId(await coapClient(['-m', 'post', '-t', '40', '-e', links, coap(`/rd?ep=${endpoint}&lt=${lifetime}&lwm2m=1.1`)]));
}

async function goTo(name: 'Fleet' | 'Activity'): Promise<void> {
  await page.locator('.nav-link', { hasText: name }).click();
}

function seconds(text: string): number {
  let s = 0;
  for (const [, n, unit] of text.matchAll(/(\d+)([dhms])/g)) s += Number(n) * { d: 86_400, h: 3600, m: 60, s: 1 }[unit as 'd' | 'h' | 'm' | 's'];
  return s;
}

describe('live console in Chromium against the bridge process', () => {
  it('tells how to connect a device while the fleet is empty', async () => {
    await page.goto(bridge.httpUrl);
    const empty = page.locator('[data-test="empty-state"]');
    await empty.waitFor();
    expect(await empty.textContent()).toContain(`coap://127.0.0.1:${bridge.coapPort}`);
    expect(await empty.textContent()).toContain('npm run simulate -- --count 10');
    await expect.poll(() => page.locator('[data-test="connection"]').textContent()).toContain('Live');
    await page.screenshot({ path: join(ARTIFACTS, 'console-empty.png') });
  });

  it('shows a device registered over real CoAP, its Update, de-registration and expiry', async () => {
    const id = await register('e2e-dev1', 60);
    await row('e2e-dev1').waitFor({ timeout: 15_000 });
    expect(await row('e2e-dev1').textContent()).toContain(id);
    await register('e2e-dev2', 300, '</1/0>,</3/0>,</4/0>,</6/0>');

    // Update with a new lifetime: the countdown restarts from 120 s and the feed says what changed.
    await coapClient(['-m', 'post', coap(`/rd/${id}?lt=120`)]);
    await expect.poll(async () => seconds((await row('e2e-dev1').locator('[data-test="countdown"]').textContent()) ?? ''), { timeout: 15_000 }).toBeGreaterThan(100);
    await page.screenshot({ path: join(ARTIFACTS, 'console-fleet.png') });

    await goTo('Activity');
    const updated = page.locator('[data-test="activity-row"][data-kind="updated"]', { hasText: 'e2e-dev1' });
    await updated.waitFor();
    expect(await updated.textContent()).toContain('lifetime 120 s');

    // Device page: every field, the object tree with OMA names, raw requests, timeline.
    await page.locator('.feed-endpoint', { hasText: 'e2e-dev1' }).first().click();
    await page.waitForURL(/\/devices\/e2e-dev1$/);
    await page.locator('[data-test="device-fields"]').waitFor();
    expect(await page.locator('[data-test="object-tree"]').textContent()).toMatch(/LwM2M Server[\s\S]*Device[\s\S]*Firmware Update/);
    expect(await page.locator('[data-test="raw-register"]').textContent()).toContain('ep=e2e-dev1&lt=60');
    await expect.poll(() => page.locator('[data-test="raw-update"]').textContent()).toContain('lt=120');
    await page.screenshot({ path: join(ARTIFACTS, 'console-device.png'), fullPage: true });

    // De-register: the device page says why it is gone, and keeps the timeline.
    await coapClient(['-m', 'delete', coap(`/rd/${id}`)]);
    await expect.poll(() => page.locator('[data-test="device-state"]').textContent(), { timeout: 15_000 }).toMatch(/not registered — left at .* because de-registered/);
    expect(await page.locator('[data-test="timeline"] li').count()).toBe(3);
    await page.screenshot({ path: join(ARTIFACTS, 'console-device-left.png'), fullPage: true });

    await goTo('Fleet');
    await row('e2e-dev2').waitFor();
    expect(await row('e2e-dev1').count()).toBe(0);

    // A 5 s lifetime with no Update: the bridge expires it.
    await register('e2e-short', 5);
    await row('e2e-short').waitFor({ timeout: 15_000 });
    await row('e2e-short').waitFor({ state: 'detached', timeout: 20_000 });
    await goTo('Activity');
    const expired = page.locator('[data-test="activity-row"][data-kind="ended"]', { hasText: 'e2e-short' });
    await expired.waitFor();
    expect(await expired.textContent()).toContain('expired');
    expect(await page.locator('[data-test="activity-row"][data-kind="ended"]', { hasText: 'e2e-dev1' }).textContent()).toContain('de-registered');
    await page.screenshot({ path: join(ARTIFACTS, 'console-activity.png') });
  }, 120_000);

  it('reconnects and resyncs after the bridge restarts on the same port', async () => {
    await goTo('Fleet');
    await row('e2e-dev2').waitFor();
    const httpPort = bridge.httpPort;
    await bridge.stop();
    await expect.poll(() => page.locator('[data-test="connection"]').textContent(), { timeout: 20_000 }).toMatch(/Offline|Connecting/);
    bridge = await startBridgeProcess(['--http-port', String(httpPort)]);
    // The new process has an empty registry: the resynced fleet must drop the old rows.
    await expect.poll(() => page.locator('[data-test="connection"]').textContent(), { timeout: 30_000 }).toContain('Live');
    await page.locator('[data-test="empty-state"]').waitFor();
    await register('e2e-after-restart', 60);
    await row('e2e-after-restart').waitFor({ timeout: 15_000 });
    expect(pageErrors).toEqual([]);
  }, 120_000);
});
