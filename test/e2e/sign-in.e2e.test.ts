/**
 * The sign-in screen in real Chromium, against a console that requires the access token
 * (what happens when the bridge listens on a non-loopback address).
 */
import { join } from 'node:path';
import { mkdirSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BrowserContext } from 'playwright-core';
import { startHarness, type Harness } from '../../bridge/src/console/console-test-kit.js';
import { fakeRegistration } from '../../bridge/src/console/test-support.js';
import { ARTIFACTS, launchChromium, REPO, requireBuild } from './e2e-support.js';

let harness: Harness;
let browser: BrowserContext;
let token = '';

beforeAll(async () => {
  requireBuild();
  mkdirSync(ARTIFACTS, { recursive: true });
  harness = await startHarness({
    staticDir: join(REPO, 'web/dist'),
    requireToken: true,
    printToken: (text) => (token = /^\s+(\S+)$/m.exec(text)![1]!),
  });
  harness.store.put(fakeRegistration('signed-in-dev'));
  browser = await launchChromium({ width: 1200, height: 700 });
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await harness?.server.close();
});

describe('console sign-in', () => {
  it('asks for the token, refuses a wrong one, and shows the fleet after the right one', async () => {
    const page = await browser.newPage();
    await page.goto(`${harness.server.url}/devices/signed-in-dev`);
    await page.waitForURL(/\/sign-in\?next=/, { timeout: 5000 });
    expect(await page.locator('[data-test="connection"]').textContent()).toContain('Sign-in required');
    await page.screenshot({ path: join(ARTIFACTS, 'console-sign-in.png') });

    await page.fill('[data-test="token"]', 'not-the-token');
    await page.press('[data-test="token"]', 'Enter');
    await page.locator('[role="alert"]', { hasText: 'not the access token' }).waitFor();

    await page.fill('[data-test="token"]', token);
    await page.press('[data-test="token"]', 'Enter');
    await page.waitForURL(/\/devices\/signed-in-dev$/);
    await page.locator('[data-test="device-fields"]').waitFor();
    await expect.poll(() => page.locator('[data-test="connection"]').textContent()).toContain('Live');

    // The session survives a reload (HttpOnly cookie), and the page never holds the token.
    await page.reload();
    await page.locator('[data-test="device-fields"]').waitFor();
    expect(await page.evaluate(() => document.cookie)).toBe('');
    expect(await page.content()).not.toContain(token);

    await page.locator('button', { hasText: 'Sign out' }).click();
    await page.waitForURL(/\/sign-in/);
    expect(await (await page.request.get(`${harness.server.url}/api/session`)).json()).toEqual({ authRequired: true, authorized: false });
  });
});
