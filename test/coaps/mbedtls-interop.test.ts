/**
 * CoAPS end to end with mbed TLS, the DTLS stack in most LwM2M devices (Zephyr, Wakaama, Anjay):
 * a small C client on Debian's libmbedtls-dev (test/support/mbedtls/) registers, updates and
 * de-registers through the bridge's own DTLS server with PSK and with an X.509 certificate,
 * and resumes its session.
 */
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generate, parse, type NamedOption, type ParsedPacket } from 'coap-packet';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RegistrationEvent } from '@lwm2m-console/shared';
import type { Bridge } from '../../bridge/src/bridge.js';
import { generateCertificateAuthority, issueCertificate } from '../../bridge/src/dtls/pki/certificate-authority.js';
import { SERVER_CERT_FILE } from '../../bridge/src/dtls/pki/server-identity-store.js';
import { startTestBridge } from '../support/bridge-in-process.js';
import { mbedtlsClientBinary, runMbedtlsClient, type MbedtlsSecurity } from '../support/mbedtls-client.js';
import { certificatePem, tempFileWriter } from '../support/pki-files.js';

const write = tempFileWriter('coaps-mbedtls-');

const ca = generateCertificateAuthority('Fleet CA');
const deviceKey = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });

let bridge: Bridge;
let events: RegistrationEvent[];
let dataDir: string;

beforeAll(async () => {
  // Compile first: a missing gcc or libmbedtls-dev fails here with the package to install.
  await mbedtlsClientBinary();
  dataDir = mkdtempSync(join(tmpdir(), 'coaps-mbedtls-data-'));
  ({ bridge, events } = await startTestBridge({ coapsPort: 0, trustCaFile: write('ca.pem', certificatePem(ca.certificateDer)), dataDir }));
}, 60_000);
afterAll(() => bridge.close());

const PSK_KEY = randomBytes(16).toString('hex');
const psk = (endpoint: string, keyHex = PSK_KEY) => ({ psk: { identity: `${endpoint}-id`, keyHex } });
const addPsk = (endpoint: string) => bridge.credentials.put({ endpoint, mode: 'psk', identity: `${endpoint}-id`, keyHex: PSK_KEY });

/** A confirmable CoAP request with a fresh token (the client matches its response by token). */
function request(code: string, path: string[], query: string[] = [], payload?: string): Buffer {
  const options: NamedOption[] = path.map((p) => ({ name: 'Uri-Path', value: Buffer.from(p) }));
  if (payload !== undefined) options.push({ name: 'Content-Format', value: Buffer.from([40]) }); // application/link-format
  for (const q of query) options.push({ name: 'Uri-Query', value: Buffer.from(q) });
  return generate({ code, confirmable: true, messageId: randomBytes(2).readUInt16BE(), token: randomBytes(4), options, ...(payload === undefined ? {} : { payload: Buffer.from(payload) }) });
}
const register = (ep: string) => request('0.02', ['rd'], [`ep=${ep}`, 'lt=60', 'lwm2m=1.1'], '</1/0>,</3/0>');
const update = (id: string, lt: number) => request('0.02', ['rd', id], [`lt=${lt}`]);
const deregister = (id: string) => request('0.04', ['rd', id]);

const locationPath = (p: ParsedPacket) => p.options.filter((o) => o.name === 'Location-Path').map((o) => o.value.toString());

/** Registers `ep` over a first DTLS connection and returns the registration id from Location-Path. */
async function registerOver(security: MbedtlsSecurity, ep: string): Promise<{ id: string; cipherSuite: string | undefined }> {
  const run = await runMbedtlsClient({ port: bridge.coapsPort, security, requests: [register(ep)] });
  expect(run.error).toBeUndefined();
  expect(run.extendedMasterSecret).toEqual([true]);
  const reply = parse(run.responses[0]!);
  expect(reply.code).toBe('2.01');
  const path = locationPath(reply);
  expect(path).toEqual(['rd', expect.any(String)]);
  return { id: path[1]!, cipherSuite: run.cipherSuites[0] };
}

describe('mbed TLS device with PSK', () => {
  it('registers, updates and de-registers with CCM_8, and the registration shows the session security', async () => {
    addPsk('mbed-ccm');
    const { id, cipherSuite } = await registerOver(psk('mbed-ccm'), 'mbed-ccm');
    expect(cipherSuite).toBe('TLS_PSK_WITH_AES_128_CCM_8');
    expect(bridge.store.getById(id)).toMatchObject({
      endpoint: 'mbed-ccm',
      transport: 'coaps',
      security: { mode: 'psk', identity: 'mbed-ccm-id', cipherSuite: 'TLS_PSK_WITH_AES_128_CCM_8' },
    });
    // A new handshake, then two records over the same session.
    const run = await runMbedtlsClient({ port: bridge.coapsPort, security: psk('mbed-ccm'), requests: [update(id, 90), deregister(id)] });
    expect(run.error).toBeUndefined();
    expect(run.responses.map((r) => parse(r).code)).toEqual(['2.04', '2.02']);
    expect(bridge.store.getById(id)).toBeUndefined();
  }, 20_000);

  it('registers and updates with TLS_PSK_WITH_AES_128_CBC_SHA256', async () => {
    addPsk('mbed-cbc');
    const { id, cipherSuite } = await registerOver({ ...psk('mbed-cbc'), cbc: true }, 'mbed-cbc');
    expect(cipherSuite).toBe('TLS_PSK_WITH_AES_128_CBC_SHA256');
    expect(bridge.store.getById(id)?.security).toMatchObject({ mode: 'psk', cipherSuite: 'TLS_PSK_WITH_AES_128_CBC_SHA256' });
    const run = await runMbedtlsClient({ port: bridge.coapsPort, security: { ...psk('mbed-cbc'), cbc: true }, requests: [update(id, 90)] });
    expect(run.responses.map((r) => parse(r).code)).toEqual(['2.04']);
    expect(bridge.store.getById(id)?.lifetime).toBe(90);
  }, 20_000);

  it('fails the handshake with a wrong key and leaves no registration', async () => {
    addPsk('mbed-wrong');
    const before = events.length;
    const run = await runMbedtlsClient({ port: bridge.coapsPort, security: psk('mbed-wrong', randomBytes(16).toString('hex')), requests: [register('mbed-wrong')], timeoutMs: 2000 });
    expect(run.ok).toBe(false);
    expect(run.error).toMatch(/handshake failed/);
    // Its Finished is protected with keys from the wrong PSK, so the record does not authenticate:
    // RFC 5246 §7.2.2 bad_record_mac (20), as GnuTLS sees it too (docs/dtls.md § interop).
    expect(run.alert).toBe(20);
    expect(run.responses).toHaveLength(0);
    expect(bridge.store.getByEndpoint('mbed-wrong')).toBeUndefined();
    expect(events.slice(before).filter((e) => e.type === 'registered')).toHaveLength(0);
  }, 20_000);

  it('resumes its session with an abbreviated handshake and can still update', async () => {
    addPsk('mbed-resume');
    const { id } = await registerOver(psk('mbed-resume'), 'mbed-resume');
    const run = await runMbedtlsClient({ port: bridge.coapsPort, security: psk('mbed-resume'), requests: [update(id, 90)], resume: [update(id, 120)] });
    expect(run.error).toBeUndefined();
    expect(run.resumed).toBe(true);
    expect(run.cipherSuites).toEqual(['TLS_PSK_WITH_AES_128_CCM_8', 'TLS_PSK_WITH_AES_128_CCM_8']);
    expect(run.responses.map((r) => parse(r).code)).toEqual(['2.04', '2.04']);
    expect(bridge.store.getById(id)?.lifetime).toBe(120);
  }, 20_000);
});

describe('mbed TLS device with an X.509 certificate', () => {
  it('registers with ECDHE-ECDSA CCM_8 using a certificate whose CN is its endpoint, after verifying the server certificate', async () => {
    const certFile = write('mbed-x509.pem', certificatePem(issueCertificate({ subjectCN: 'mbed-x509', subjectPublicKey: deviceKey.publicKey, issuerKey: ca.privateKey, issuerCertDer: ca.certificateDer, validDays: 30 })));
    const keyFile = write('mbed-x509.key', deviceKey.privateKey.export({ type: 'pkcs8', format: 'pem' }));
    // The bridge's own certificate (generated into the data folder) is the device's trust anchor.
    const caFile = write('server.pem', readFileSync(join(dataDir, SERVER_CERT_FILE)));
    const security = { cert: { certFile, keyFile, caFile } };
    const { id, cipherSuite } = await registerOver(security, 'mbed-x509');
    expect(cipherSuite).toBe('TLS_ECDHE_ECDSA_WITH_AES_128_CCM_8');
    expect(bridge.store.getById(id)).toMatchObject({
      transport: 'coaps',
      security: { mode: 'x509', identity: 'mbed-x509', cipherSuite: 'TLS_ECDHE_ECDSA_WITH_AES_128_CCM_8' },
    });
    const run = await runMbedtlsClient({ port: bridge.coapsPort, security, requests: [deregister(id)] });
    expect(run.responses.map((r) => parse(r).code)).toEqual(['2.02']);
  }, 20_000);
});
