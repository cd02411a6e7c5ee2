/**
 * The Security page end to end: the built bridge process with CoAPS, headless Chromium, and
 * libcoap's coap-client-openssl registering over DTLS with the PSK entered in the console.
 * Screenshots go to test-artifacts/ (look at them).
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { createHash, generateKeyPairSync } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BrowserContext, Page } from 'playwright-core';
import { generateCertificateAuthority, issueCertificate } from '../../bridge/src/dtls/pki/certificate-authority.js';
import { SERVER_CERT_FILE } from '../../bridge/src/dtls/pki/server-identity-store.js';
import { ARTIFACTS, coapClient, launchChromium, requireBuild, startBridgeProcess, type BridgeProcess } from './e2e-support.js';
import { certificatePem, tempFileWriter } from '../support/pki-files.js';

// Device keys and a fleet CA for the raw-public-key and certificate cases.
const write = tempFileWriter('security-e2e-');
const dataDir = mkdtempSync(join(tmpdir(), 'security-e2e-data-'));
const ca = generateCertificateAuthority('E2E Fleet CA');
const deviceKey = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
const devicePublicPem = deviceKey.publicKey.export({ type: 'spki', format: 'pem' }).toString();
const files = {
  caFile: write('ca.pem', certificatePem(ca.certificateDer)),
  rpk: write('rpk.pem', deviceKey.privateKey.export({ type: 'sec1', format: 'pem' })),
  key: write('dev.key', deviceKey.privateKey.export({ type: 'pkcs8', format: 'pem' })),
  cert: write('cert-dev.pem', certificatePem(issueCertificate({ subjectCN: 'cert-dev', subjectPublicKey: deviceKey.publicKey, issuerKey: ca.privateKey, issuerCertDer: ca.certificateDer, validDays: 30 }))),
};

function libcoap(bin: string, endpoint: string, security: string[]): Promise<string> {
  const uri = `coaps://127.0.0.1:${coapsPort}/rd?ep=${endpoint}&lt=60&lwm2m=1.1`;
  return new Promise((resolve) => {
    execFile(bin, ['-B', '8', '-v', '6', '-m', 'post', '-t', '40', '-e', '</1/0>,</3/0>', ...security, uri], { timeout: 20_000 }, (error, stdout, stderr) =>
      resolve(`${error ? `exit ${error.message}\n` : ''}${stdout}${stderr}`),
    );
  });
}

let bridge: BridgeProcess;
let coapsPort: number;
let browser: BrowserContext;
let page: Page;
const pageErrors: string[] = [];
/** Every frame the page received from the bridge, to look for key material. */
const framesToPage: string[] = [];

/** libcoap's `-k` takes the key as TEXT (PEERS.md): the console gets the hex of that text. */
const KEY_TEXT = 'e2e-secret-key-1';
const KEY_HEX = Buffer.from(KEY_TEXT, 'ascii').toString('hex');

function coapsRegister(endpoint: string, identity: string, keyText: string): Promise<string> {
  return coapsRegisterAt(coapsPort, endpoint, identity, keyText);
}

function coapsRegisterAt(port: number, endpoint: string, identity: string, keyText: string): Promise<string> {
  const uri = `coaps://127.0.0.1:${port}/rd?ep=${endpoint}&lt=60&lwm2m=1.1`;
  return new Promise((resolve) => {
    execFile('coap-client-openssl', ['-B', '5', '-v', '6', '-m', 'post', '-t', '40', '-e', '</1/0>,</3/0>', '-u', identity, '-k', keyText, uri], { timeout: 15_000 }, (error, stdout, stderr) =>
      resolve(`${error ? `exit ${error.message}\n` : ''}${stdout}${stderr}`),
    );
  });
}

beforeAll(async () => {
  requireBuild();
  mkdirSync(ARTIFACTS, { recursive: true });
  bridge = await startBridgeProcess(['--coaps-host', '127.0.0.1', '--coaps-port', '0', '--trust-ca', files.caFile], dataDir);
  const m = /coaps listening on udp:\/\/[^\s]*:(\d+)/.exec(bridge.stdout);
  if (!m) throw new Error(`no coaps port in:\n${bridge.stdout}`);
  coapsPort = Number(m[1]);
  browser = await launchChromium();
  page = await browser.newPage();
  page.on('pageerror', (e) => pageErrors.push(e.message));
  page.on('dialog', (d) => void d.accept());
  page.on('websocket', (ws) => ws.on('framereceived', (f) => void framesToPage.push(String(f.payload))));
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await bridge?.stop();
});

const credRow = (endpoint: string) => page.locator(`[data-test="cred-row"][data-endpoint="${endpoint}"]`);

describe('Security page in Chromium against the bridge process', () => {
  it('adds a PSK credential with a key generated in the browser and lists it without the key', async () => {
    await page.goto(bridge.httpUrl);
    await page.locator('.nav-link', { hasText: 'Security' }).click();
    await page.waitForURL(/\/security$/);
    await page.locator('[data-test="cred-empty"]').waitFor();
    await page.locator('[data-test="cred-endpoint"]').fill('psk-generated');
    await page.locator('[data-test="cred-generate"]').click();
    const key = await page.locator('[data-test="cred-key"]').inputValue();
    expect(key).toMatch(/^[0-9a-f]{32}$/);
    expect(await page.locator('[data-test="cred-generated"]').textContent()).toContain(key);
    await page.locator('[data-test="cred-save"]').click();
    await credRow('psk-generated').waitFor();
    expect(await credRow('psk-generated').textContent()).toMatch(/psk-generated[\s\S]*PSK[\s\S]*psk-generated/);
    // Shown once, before saving; after saving the key is nowhere on the page.
    expect(await page.locator('body').innerText()).not.toContain(key);
    expect(await page.locator('[data-test="cred-key"]').inputValue()).toBe('');
  });

  it('generates a key instead of sending a PSK credential without one', async () => {
    await page.locator('[data-test="cred-endpoint"]').fill('psk-nokey');
    await page.locator('[data-test="cred-save"]').click();
    expect(await page.locator('[data-test="cred-problem"]').textContent()).toContain('A key was generated');
    expect(await page.locator('[data-test="cred-key"]').inputValue()).toMatch(/^[0-9a-f]{32}$/);
    expect(await credRow('psk-nokey').count()).toBe(0);
    await page.locator('[data-test="cred-key"]').fill('');
    await page.locator('[data-test="cred-endpoint"]').fill('');
  });

  it('lets coap-client-openssl register over CoAPS with a PSK typed in hex, and shows the session security', async () => {
    await page.locator('[data-test="cred-endpoint"]').fill('psk-dev1');
    await page.locator('[data-test="cred-identity"]').fill('psk-dev1-id');
    await page.locator('[data-test="cred-key"]').fill(KEY_HEX);
    await page.locator('[data-test="cred-save"]').click();
    await credRow('psk-dev1').waitFor();
    await page.screenshot({ path: join(ARTIFACTS, 'security-page.png') });

    const out = await coapsRegister('psk-dev1', 'psk-dev1-id', KEY_TEXT);
    expect(out).toMatch(/2\.01/);
    await page.locator('.nav-link', { hasText: 'Fleet' }).click();
    const row = page.locator('.fleet-body .fleet-row[data-endpoint="psk-dev1"]');
    await row.waitFor({ timeout: 10_000 });
    expect(await row.textContent()).toMatch(/CoAPS\s*PSK/);
    await row.locator('a').click();
    const fields = page.locator('[data-test="device-fields"]');
    await fields.waitFor();
    expect(await fields.textContent()).toMatch(/CoAPS[\s\S]*PSK[\s\S]*identity[\s\S]*psk-dev1-id[\s\S]*TLS_PSK_WITH_AES_128_\w+/);
    await page.screenshot({ path: join(ARTIFACTS, 'device-coaps-psk.png') });
  });

  it('adds a raw public key pasted as PEM (listed by fingerprint) and coap-client-gnutls registers with it', async () => {
    await page.locator('.nav-link', { hasText: 'Security' }).click();
    await page.locator('[data-test="cred-endpoint"]').fill('rpk-dev');
    await page.locator('[data-test="cred-mode"]').selectOption('rpk');
    await page.locator('[data-test="cred-public-key"]').fill(devicePublicPem);
    await page.locator('[data-test="cred-save"]').click();
    await credRow('rpk-dev').waitFor();
    const spki = deviceKey.publicKey.export({ type: 'spki', format: 'der' });
    const fingerprint = createHash('sha256').update(spki).digest('hex');
    expect(await credRow('rpk-dev').locator('.cred-id').textContent()).toBe(fingerprint);

    const out = await libcoap('coap-client-gnutls', 'rpk-dev', ['-M', files.rpk]);
    expect(out).toMatch(/2\.01/);
    await page.locator('.nav-link', { hasText: 'Fleet' }).click();
    const row = page.locator('.fleet-body .fleet-row[data-endpoint="rpk-dev"]');
    await row.waitFor({ timeout: 10_000 });
    expect(await row.textContent()).toMatch(/CoAPS\s*RPK/);
  });

  it('adds an X.509 marker and coap-client-openssl registers with a certificate whose CN is the endpoint', async () => {
    await page.locator('.nav-link', { hasText: 'Security' }).click();
    await page.locator('[data-test="cred-endpoint"]').fill('cert-dev');
    await page.locator('[data-test="cred-mode"]').selectOption('x509');
    await page.locator('[data-test="cred-save"]').click();
    await credRow('cert-dev').waitFor();
    expect(await credRow('cert-dev').textContent()).toMatch(/X\.509[\s\S]*CN=cert-dev/);
    const server = write('server.pem', readFileSync(join(dataDir, SERVER_CERT_FILE)));
    const out = await libcoap('coap-client-openssl', 'cert-dev', ['-c', files.cert, '-j', files.key, '-C', server]);
    expect(out).toMatch(/2\.01/);
    await page.locator('.nav-link', { hasText: 'Fleet' }).click();
    const row = page.locator('.fleet-body .fleet-row[data-endpoint="cert-dev"]');
    await row.waitFor({ timeout: 10_000 });
    expect(await row.textContent()).toMatch(/CoAPS\s*X\.509/);
    await page.locator('.nav-link', { hasText: 'Security' }).click();
    await page.screenshot({ path: join(ARTIFACTS, 'security-page.png') });
  });

  it('refuses the wrong key with a DTLS alert (no registration)', async () => {
    const out = await coapsRegister('psk-dev1', 'psk-dev1-id', 'not-the-right-k');
    expect(out).not.toMatch(/2\.01/);
    // The handshake itself fails: the bridge answers the wrong Finished with an alert.
    expect(out).toMatch(/alert/i);
  });

  it('shows the DTLS server against its limits with the handshakes completed and failed, refreshed without a reload', async () => {
    await page.locator('.nav-link', { hasText: 'Security' }).click();
    await page.waitForURL(/\/security$/);
    const panel = page.locator('[data-test="dtls-panel"]');
    const gauge = (key: string) => panel.locator(`[data-test="dtls-gauge-${key}"] [data-test="dtls-gauge-value"]`);
    const counter = async (key: string) => Number((await panel.locator(`[data-counter="${key}"] dd`).innerText()).replace(/,/g, ''));
    await gauge('sessions').waitFor({ timeout: 10_000 });
    // The bridge's default limits.
    expect(await gauge('sessions').innerText()).toMatch(/^\d+ \/ 100,000$/);
    expect(await gauge('handshakes').innerText()).toMatch(/^\d+ \/ 2,000$/);
    expect(await gauge('resumable').innerText()).toMatch(/^\d+ \/ 10,000$/);
    expect(await panel.locator('[data-test="dtls-gauge-sessions"]').getAttribute('data-level')).toBe('ok');
    // PSK, RPK and certificate registrations above; the wrong key just before, which the page
    // (open since the certificate test) sees at its next poll.
    await expect.poll(() => counter('handshakesFailed'), { timeout: 12_000, interval: 500 }).toBeGreaterThanOrEqual(1);
    const completed = await counter('handshakesCompleted');
    expect(completed).toBeGreaterThanOrEqual(3);
    expect(await panel.locator('[data-test="dtls-updated"]').innerText()).toMatch(/^updated (just now|\d+s ago)$/);
    await page.evaluate(() => Object.assign(window, { dtlsDocument: true }));

    expect(await coapsRegister('psk-dev1', 'psk-dev1-id', KEY_TEXT)).toMatch(/2\.01/);
    // The page asks every 5 s: the new handshake shows up in this very document.
    await expect.poll(() => counter('handshakesCompleted'), { timeout: 12_000, interval: 500 }).toBeGreaterThan(completed);
    expect(await page.evaluate(() => (window as unknown as { dtlsDocument?: boolean }).dtlsDocument)).toBe(true);
    await panel.scrollIntoViewIfNeeded();
    await panel.screenshot({ path: join(ARTIFACTS, 'security-dtls-status.png') });
    expect(pageErrors).toEqual([]);
  });

  it('deletes a credential and switches registration without DTLS off and on', async () => {
    await page.locator('.nav-link', { hasText: 'Security' }).click();
    await credRow('psk-generated').locator('[data-test="cred-delete"]').click();
    await expect.poll(() => credRow('psk-generated').count()).toBe(0);

    const toggle = page.locator('[data-test="allow-unsecured"] input');
    expect(await toggle.isChecked()).toBe(true);
    await toggle.uncheck();
    await expect.poll(() => toggle.isChecked()).toBe(false);
    const refused = await coapClient(['-m', 'post', '-t', '40', '-e', '</1/0>', `coap://127.0.0.1:${bridge.coapPort}/rd?ep=plain-dev&lt=60`]).catch((e: Error) => e.message);
    expect(refused).toMatch(/4\.03|Forbidden/);
    await toggle.check();
    await expect.poll(() => toggle.isChecked()).toBe(true);
    const accepted = await coapClient(['-m', 'post', '-t', '40', '-e', '</1/0>', `coap://127.0.0.1:${bridge.coapPort}/rd?ep=plain-dev&lt=60`]);
    expect(accepted).toMatch(/2\.01/);
    expect(pageErrors).toEqual([]);
  });

  it('shows a device with the wrong PSK and a plain-CoAP Register for a secured endpoint under Refused connections, live', async () => {
    const wrongKeyText = 'wrong-key-text-9';
    const wrongKeyHex = Buffer.from(wrongKeyText, 'ascii').toString('hex');
    await page.locator('.nav-link', { hasText: 'Security' }).click();
    await page.waitForURL(/\/security$/);
    await page.locator('[data-test="cred-endpoint"]').fill('psk-wrong');
    await page.locator('[data-test="cred-identity"]').fill('psk-wrong-id');
    await page.locator('[data-test="cred-key"]').fill(KEY_HEX);
    await page.locator('[data-test="cred-save"]').click();
    await credRow('psk-wrong').waitFor();
    const handshakeRow = page.locator('[data-test="refusal-row"][data-stage="handshake"]', { hasText: 'psk-wrong-id' });
    const registerRow = page.locator('[data-test="refusal-row"][data-stage="register"]', { hasText: 'psk-wrong' });
    expect(await handshakeRow.count()).toBe(0);
    expect(await registerRow.count()).toBe(0);
    // Gone after a reload or a navigation: the rows must come by push into this very document.
    await page.evaluate(() => Object.assign(window, { sameDocument: true }));

    const out = await coapsRegister('psk-wrong', 'psk-wrong-id', wrongKeyText);
    expect(out).not.toMatch(/2\.01/);
    const plain = await coapClient(['-m', 'post', '-t', '40', '-e', '</1/0>', `coap://127.0.0.1:${bridge.coapPort}/rd?ep=psk-wrong&lt=60`]).catch((e: Error) => e.message);
    expect(plain).toMatch(/4\.03/);

    await handshakeRow.waitFor({ timeout: 10_000 });
    await registerRow.waitFor({ timeout: 10_000 });
    const cells = async (row: typeof handshakeRow) => (await row.locator('td').allTextContents()).map((t) => t.replace(/\s+/g, ' ').trim());
    const [, hCount, hStage, hTransport, hDevice, hFrom, hOutcome] = await cells(handshakeRow);
    expect([hCount, hStage, hTransport, hOutcome]).toEqual(['×1', 'handshake', 'CoAPS', 'bad_record_mac']);
    // whose identity it is (the endpoint), then the identity the device presented
    expect(hDevice).toMatch(/^psk-wrong\s*identity psk-wrong-id$/);
    expect(hFrom).toMatch(/^127\.0\.0\.1:\d+$/);
    const [, rCount, rStage, rTransport, rDevice, , rOutcome, rReason] = await cells(registerRow);
    expect([rCount, rStage, rTransport, rDevice, rOutcome]).toEqual(['×1', 'register', 'CoAP', 'psk-wrong', '4.03']);
    expect(rReason).toContain('register over CoAPS');
    // Newest first: the plain Register came last.
    expect(await page.locator('[data-test="refusal-row"]').first().getAttribute('data-stage')).toBe('register');
    // The device retries with the same wrong key: the same line counts it.
    expect(await coapsRegister('psk-wrong', 'psk-wrong-id', wrongKeyText)).not.toMatch(/2\.01/);
    await expect.poll(async () => (await cells(handshakeRow))[1], { timeout: 10_000 }).toMatch(/^×2 since \d\d:\d\d:\d\d$/);
    expect(await page.locator('[data-test="refusal-row"]', { hasText: 'psk-wrong-id' }).count()).toBe(1);
    expect(await page.evaluate(() => (window as unknown as { sameDocument?: boolean }).sameDocument)).toBe(true);

    // No key, as text or hex, in the page or in anything the bridge sent it.
    const html = await page.content();
    const frames = framesToPage.join('\n');
    expect(frames).toMatch(/"type":"refusals"[^\n]*psk-wrong-id/);
    for (const secret of [wrongKeyText, wrongKeyHex, KEY_TEXT, KEY_HEX]) {
      expect(html).not.toContain(secret);
      expect(frames).not.toContain(secret);
    }
    await page.locator('[data-test="refusals"]').scrollIntoViewIfNeeded();
    await page.screenshot({ path: join(ARTIFACTS, 'security-refusals.png'), fullPage: true });
    expect(pageErrors).toEqual([]);
  });

  it('shows the refused attempts in the Activity feed among live events, growing in place, and on the device page of the device that never registered', async () => {
    const wrongKeyText = 'wrong-key-text-9';
    // A fresh document: the Activity page reads the refusals log itself when it opens.
    await page.goto(new URL('/activity', bridge.httpUrl).href);
    const refused = page.locator('[data-test="activity-row"][data-kind="refused"]');
    const handshake = refused.filter({ hasText: 'at handshake' }).filter({ hasText: 'psk-wrong' });
    const register = refused.filter({ hasText: 'at register' }).filter({ hasText: 'psk-wrong' });
    await handshake.waitFor({ timeout: 10_000 });
    const text = async (row: typeof handshake) => (await row.innerText()).replace(/\s+/g, ' ');
    expect(await text(handshake)).toMatch(/REFUSED psk-wrong at handshake: bad_record_mac — .+ \(×2\)$/i);
    expect(await text(register)).toMatch(/REFUSED psk-wrong at register: 4\.03 — .*register over CoAPS/i);

    // A live registration, then the device retries with its wrong key: the handshake line
    // counts it and moves above the registration, still one line.
    expect(await coapClient(['-m', 'post', '-t', '40', '-e', '</1/0>', `coap://127.0.0.1:${bridge.coapPort}/rd?ep=plain-activity&lt=60`])).toMatch(/2\.01/);
    await page.locator('[data-test="activity-row"][data-kind="registered"]', { hasText: 'plain-activity' }).waitFor({ timeout: 10_000 });
    expect(await coapsRegister('psk-wrong', 'psk-wrong-id', wrongKeyText)).not.toMatch(/2\.01/);
    await expect.poll(() => text(handshake), { timeout: 10_000 }).toMatch(/\(×3\)$/);
    expect(await handshake.count()).toBe(1);
    const order = await page.locator('[data-test="activity-row"]').evaluateAll((rows) => rows.map((r) => `${r.getAttribute('data-kind')} ${r.querySelector('.feed-detail')?.textContent?.slice(0, 12)}`));
    expect(order.slice(0, 3)).toEqual(['refused at handshake', 'registered from 127.0.0', 'refused at register:']);
    // The refused attempts are red, unlike the registration.
    const colour = (kind: string) => page.locator(`[data-test="activity-row"][data-kind="${kind}"] .kind`).first().evaluate((e) => getComputedStyle(e).backgroundColor);
    expect(await colour('refused')).not.toBe(await colour('registered'));
    // The "Refused" filter hides them and shows them again.
    const refusedFilter = page.locator('[data-test="activity-filter"] [data-kind="refused"] input');
    await refusedFilter.uncheck();
    await expect.poll(() => refused.count()).toBe(0);
    await refusedFilter.check();
    await handshake.waitFor();
    await page.screenshot({ path: join(ARTIFACTS, 'activity-refused.png') });

    // The device never registered: its page says why.
    await handshake.locator('a.feed-endpoint').click();
    await page.waitForURL(/\/devices\/psk-wrong$/);
    const notice = page.locator('[data-test="device-refusals"]');
    await notice.waitFor({ timeout: 10_000 });
    expect(await page.locator('[data-test="device-refusals-summary"]').innerText()).toMatch(/^Refused 4 times, last (just now|\d+s ago)$/);
    expect(await notice.locator('[data-test="device-refusal"]').allInnerTexts()).toEqual([
      expect.stringMatching(/^bad_record_mac at handshake — .+ \(×3, last (just now|\d+s ago)\)$/),
      expect.stringMatching(/^4\.03 at register — .*register over CoAPS \(×1, last (just now|\d+s ago)\)$/),
    ]);
    expect(await page.locator('[data-test="device-unknown"]').innerText()).toContain('has not registered since the bridge started');
    await page.screenshot({ path: join(ARTIFACTS, 'device-refused.png') });
    await notice.locator('[data-test="device-refusals-link"]').click();
    await page.waitForURL(/\/security$/);
    expect(pageErrors).toEqual([]);
  });
});

describe('Security page in Chromium against a bridge that is full or has no CoAPS', () => {
  let fullBridge: BridgeProcess;
  let plainBridge: BridgeProcess;
  let holder: ChildProcess | undefined;
  beforeAll(async () => {
    fullBridge = await startBridgeProcess(['--coaps-host', '127.0.0.1', '--coaps-port', '0', '--dtls-max-sessions', '1'], mkdtempSync(join(tmpdir(), 'security-e2e-full-')));
    plainBridge = await startBridgeProcess();
  }, 30_000);
  afterAll(async () => {
    if (holder?.pid !== undefined && holder.exitCode === null) holder.kill('SIGTERM');
    await fullBridge?.stop();
    await plainBridge?.stop();
  });

  it('turns the Sessions gauge red at its limit and counts the device turned away because the server is full', async () => {
    const port = Number(/coaps listening on udp:\/\/[^\s]*:(\d+)/.exec(fullBridge.stdout)![1]);
    const fullPage = await browser.newPage();
    fullPage.on('pageerror', (e) => pageErrors.push(e.message));
    await fullPage.goto(new URL('/security', fullBridge.httpUrl).href);
    await fullPage.locator('[data-test="cred-endpoint"]').fill('psk-holder');
    await fullPage.locator('[data-test="cred-identity"]').fill('psk-holder-id');
    await fullPage.locator('[data-test="cred-key"]').fill(KEY_HEX);
    await fullPage.locator('[data-test="cred-save"]').click();
    await fullPage.locator('[data-test="cred-row"][data-endpoint="psk-holder"]').waitFor();

    // OpenSSL's s_client holds the one session open while its standard input stays open (PEERS.md).
    holder = spawn('openssl', ['s_client', '-dtls1_2', '-psk_identity', 'psk-holder-id', '-psk', KEY_HEX, '-cipher', 'PSK-AES128-CCM8', '-connect', `127.0.0.1:${port}`], { stdio: ['pipe', 'pipe', 'pipe'] });
    let held = '';
    holder.stdout!.on('data', (d: Buffer) => (held += d.toString()));
    await expect.poll(() => held, { timeout: 10_000 }).toMatch(/Cipher is PSK-AES128-CCM8/);

    const panel = fullPage.locator('[data-test="dtls-panel"]');
    const sessions = panel.locator('[data-test="dtls-gauge-sessions"]');
    await expect.poll(() => sessions.locator('[data-test="dtls-gauge-value"]').innerText(), { timeout: 12_000, interval: 500 }).toBe('1 / 1');
    expect(await sessions.getAttribute('data-level')).toBe('bad');
    expect(await sessions.locator('.dtls-bar-fill').evaluate((e) => getComputedStyle(e).backgroundColor)).not.toBe(
      await panel.locator('[data-test="dtls-gauge-handshakes"] .dtls-bar-fill').evaluate((e) => getComputedStyle(e).backgroundColor),
    );

    // A second device finds the server full.
    expect(await coapsRegisterAt(port, 'psk-holder', 'psk-holder-id', KEY_TEXT)).not.toMatch(/2\.01/);
    const turnedAway = () => panel.locator('[data-counter="capacityRefused"] dd').innerText();
    await expect.poll(turnedAway, { timeout: 12_000, interval: 500 }).not.toBe('0');
    await panel.scrollIntoViewIfNeeded();
    await panel.screenshot({ path: join(ARTIFACTS, 'security-dtls-full.png') });
    await fullPage.close();
    expect(pageErrors).toEqual([]);
  });

  it('says CoAPS is off instead of showing DTLS gauges', async () => {
    const plainPage = await browser.newPage();
    await plainPage.goto(new URL('/security', plainBridge.httpUrl).href);
    const panel = plainPage.locator('[data-test="dtls-panel"]');
    await panel.locator('[data-test="dtls-off"]').waitFor({ timeout: 10_000 });
    expect(await panel.locator('[data-test="dtls-off"]').innerText()).toBe('CoAPS is off on this bridge.');
    expect(await panel.locator('[data-test="dtls-gauge-sessions"]').count()).toBe(0);
    expect(await panel.locator('[data-test="dtls-updated"]').innerText()).toMatch(/^updated (just now|\d+s ago)$/);
    await plainPage.close();
  });
});
