/**
 * The Activity feed shows what happened before the page opened: the built bridge process, real
 * CoAP from libcoap's coap-client-notls, real Chromium. Screenshot in test-artifacts/.
 */
import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BrowserContext, Page } from 'playwright-core';
import { ARTIFACTS, coapClient, launchChromium, locationId, requireBuild, startBridgeProcess, type BridgeProcess } from './e2e-support.js';

let bridge: BridgeProcess;
let browser: BrowserContext;
let page: Page;
const pageErrors: string[] = [];
const dataDir = mkdtempSync(join(tmpdir(), 'activity-history-e2e-'));

beforeAll(async () => {
  requireBuild();
  mkdirSync(ARTIFACTS, { recursive: true });
  bridge = await startBridgeProcess([], dataDir);
  browser = await launchChromium();
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await bridge?.stop();
});

const coap = (path: string) => `coap://127.0.0.1:${bridge.coapPort}${path}`;
const register = async (endpoint: string, lifetime: number) => locationId(await coapClient(['-m', 'post', '-t', '40', '-e', '</1/0>,</3/0>', coap(`/rd?ep=${endpoint}&lt=${lifetime}&lwm2m=1.1`)]));
const rows = () => page.locator('[data-test="activity-row"]');
/** `kind endpoint` of each feed row, newest first. */
const feedLines = async () => (await rows().evaluateAll((els) => els.map((e) => `${e.getAttribute('data-kind')} ${e.querySelector('.feed-endpoint')?.textContent?.trim()}`)));

describe('activity history in Chromium against the bridge process', () => {
  it('shows registrations, an Update and a de-registration that happened before the page opened, then new events once, on top', async () => {
    // Before any console is open: two devices register, one changes its lifetime and leaves.
    const id1 = await register('hist-dev1', 60);
    await register('hist-dev2', 300);
    await coapClient(['-m', 'post', coap(`/rd/${id1}?lt=120`)]);
    await coapClient(['-m', 'delete', coap(`/rd/${id1}`)]);

    page = await browser.newPage();
    page.on('pageerror', (e) => pageErrors.push(e.message));
    await page.goto(`${bridge.httpUrl}/activity`);
    await expect.poll(feedLines, { timeout: 15_000 }).toEqual(['ended hist-dev1', 'updated hist-dev1', 'registered hist-dev2', 'registered hist-dev1']);
    expect(await rows().first().textContent()).toContain('de-registered');
    expect(await rows().nth(1).textContent()).toContain('lifetime 120 s');
    expect(await page.locator('[data-test="activity-since"]').textContent()).toMatch(/^Showing the last 4 events since \d\d:\d\d:\d\d\.$/);

    // The feed's filters apply to the history.
    await page.locator('[data-test="activity-filter"] label[data-kind="registered"] input').uncheck();
    await expect.poll(feedLines).toEqual(['ended hist-dev1', 'updated hist-dev1']);
    await page.locator('[data-test="activity-filter"] label[data-kind="registered"] input').check();

    // A live event arrives once, on top of the history.
    await register('hist-dev3', 60);
    await expect.poll(feedLines, { timeout: 15_000 }).toEqual(['registered hist-dev3', 'ended hist-dev1', 'updated hist-dev1', 'registered hist-dev2', 'registered hist-dev1']);
    await page.screenshot({ path: join(ARTIFACTS, 'activity-history.png') });

    // A reload brings the same five lines back from the bridge, each once.
    await page.reload();
    await expect.poll(feedLines, { timeout: 15_000 }).toEqual(['registered hist-dev3', 'ended hist-dev1', 'updated hist-dev1', 'registered hist-dev2', 'registered hist-dev1']);
    await page.waitForTimeout(500);
    expect(await feedLines()).toHaveLength(5);
    expect(pageErrors).toEqual([]);
  }, 120_000);

  it('keeps what it showed across a bridge restart and adds the restart note on top, each line once', async () => {
    const before = ['registered hist-dev3', 'ended hist-dev1', 'updated hist-dev1', 'registered hist-dev2', 'registered hist-dev1'];
    const httpPort = bridge.httpPort;
    await bridge.stop();
    await expect.poll(() => page.locator('[data-test="connection"]').textContent(), { timeout: 20_000 }).toMatch(/Offline|Connecting/);
    // Same data directory: the two devices still registered are kept across the restart.
    bridge = await startBridgeProcess(['--http-port', String(httpPort)], dataDir);
    await expect.poll(() => page.locator('[data-test="connection"]').textContent(), { timeout: 30_000 }).toContain('Live');
    await expect.poll(feedLines, { timeout: 15_000 }).toEqual(['note bridge', ...before]);
    expect(await rows().first().textContent()).toContain('2 registrations kept across a restart of the bridge');
    await page.screenshot({ path: join(ARTIFACTS, 'activity-history-restart.png') });
    expect(pageErrors).toEqual([]);
  }, 120_000);
});
