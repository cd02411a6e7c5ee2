/**
 * Object models and unanswered operations, end to end: a DDF file uploaded from the Models
 * page names the objects of a device registered with libcoap's coap-client-notls; that
 * device (the client exits after registering) never answers, so a Read and the Disable
 * flow show TIMEOUT. Built bridge process, real CoAP, headless Chromium.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BrowserContext, Page } from 'playwright-core';
import { ARTIFACTS, coapClient, launchChromium, requireBuild, startBridgeProcess, type BridgeProcess } from './e2e-support.js';

let bridge: BridgeProcess;
let browser: BrowserContext;
let page: Page;
const pageErrors: string[] = [];

const DDF = `<?xml version="1.0" encoding="UTF-8"?>
<LWM2M xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:noNamespaceSchemaLocation="http://www.openmobilealliance.org/tech/profiles/LWM2M.xsd">
  <Object ObjectType="MODefinition">
    <Name>Greenhouse Sensor</Name>
    <Description1>A vendor object for the e2e test.</Description1>
    <ObjectID>33001</ObjectID>
    <ObjectURN>urn:oma:lwm2m:x:33001</ObjectURN>
    <LWM2MVersion>1.1</LWM2MVersion>
    <ObjectVersion>1.0</ObjectVersion>
    <MultipleInstances>Multiple</MultipleInstances>
    <Mandatory>Optional</Mandatory>
    <Resources>
      <Item ID="0">
        <Name>Soil Moisture</Name>
        <Operations>R</Operations>
        <MultipleInstances>Single</MultipleInstances>
        <Mandatory>Mandatory</Mandatory>
        <Type>Float</Type>
        <RangeEnumeration>0..100</RangeEnumeration>
        <Units>%</Units>
        <Description>Volumetric water content.</Description>
      </Item>
      <Item ID="1">
        <Name>Irrigate</Name>
        <Operations>E</Operations>
        <MultipleInstances>Single</MultipleInstances>
        <Mandatory>Optional</Mandatory>
        <Type></Type>
        <RangeEnumeration></RangeEnumeration>
        <Units></Units>
        <Description>Opens the valve.</Description>
      </Item>
    </Resources>
  </Object>
</LWM2M>
`;

beforeAll(async () => {
  requireBuild();
  mkdirSync(ARTIFACTS, { recursive: true });
  bridge = await startBridgeProcess(['--downlink-timeout', '2000']);
  browser = await launchChromium();
  page = await browser.newPage();
  page.on('pageerror', (e) => pageErrors.push(e.message));
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await bridge?.stop();
});

describe('object models and devices that do not answer', () => {
  it('shows why a DDF file is refused, and the objects an accepted one defines', async () => {
    await page.goto(`${bridge.httpUrl}/models`);
    await page.locator('[data-test="ddf-file"]').setInputFiles({ name: 'broken.xml', mimeType: 'text/xml', buffer: Buffer.from('<LWM2M><Object><Name>x</Name>') });
    await expect.poll(() => page.locator('[data-test="ddf-result"]').textContent()).toContain('broken.xml was not accepted');
    await page.locator('[data-test="ddf-file"]').setInputFiles({ name: 'greenhouse.xml', mimeType: 'text/xml', buffer: Buffer.from(DDF) });
    await expect.poll(() => page.locator('[data-test="ddf-result"]').textContent()).toMatch(/greenhouse\.xml: 1 object\(s\) defined[\s\S]*\/33001[\s\S]*Greenhouse Sensor/);
    await page.screenshot({ path: join(ARTIFACTS, 'models-page.png') });
  });

  it('names a device object from the uploaded model', async () => {
    await coapClient(['-m', 'post', '-t', '40', '-e', '</1/0>,</3/0>,</33001/0>', `coap://127.0.0.1:${bridge.coapPort}/rd?ep=mute-dev&lt=300&lwm2m=1.1`]);
    await page.goto(`${bridge.httpUrl}/devices/mute-dev`);
    const obj = page.locator('[data-object="33001"]');
    await obj.waitFor();
    expect(await obj.locator('summary').textContent()).toContain('Greenhouse Sensor');
    await obj.locator('summary').click();
    expect(await obj.locator('[data-test="resource-row"][data-path="/33001/0/0"]').textContent()).toContain('Soil Moisture');
    expect(await obj.locator('[data-test="resource-row"][data-path="/33001/0/1"] [data-test="resource-execute"]').count()).toBe(1);
  });

  it('shows TIMEOUT for a Read the device never answers', async () => {
    const inst = page.locator('[data-test="object-instance"][data-path="/33001/0"]');
    await inst.locator('[data-test="instance-read"]').click();
    const result = inst.locator('.instance-head [data-test="op-result"]');
    await expect.poll(() => result.getAttribute('data-code'), { timeout: 15_000 }).toBe('TIMEOUT');
    expect(await result.textContent()).toContain('the device did not answer');
  });

  it('does not offer Disable when the device does not answer the Disable Timeout read', async () => {
    await page.locator('[data-test="disable-open"]').click();
    await expect.poll(() => page.locator('[data-test="disable-problem"]').textContent(), { timeout: 15_000 }).toContain('Could not read Disable Timeout');
    expect(await page.locator('[data-test="disable-dialog"] [data-test="op-result"]').getAttribute('data-code')).toBe('TIMEOUT');
    expect(await page.locator('[data-test="disable-confirm"]').count()).toBe(0);
    await page.screenshot({ path: join(ARTIFACTS, 'disable-timeout.png') });
    await page.locator('[data-test="disable-close"]').click();
    expect(pageErrors).toEqual([]);
  });
});
