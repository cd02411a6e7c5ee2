/**
 * Raw public keys (RFC 7250) and X.509 certificates through the whole bridge: libcoap's GnuTLS
 * client registers with a raw public key (-M), libcoap's OpenSSL client with a certificate
 * issued by the configured CA; a certificate whose CN names another endpoint gets 4.03.
 */
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Bridge } from '../../bridge/src/bridge.js';
import { generateCertificateAuthority, issueCertificate } from '../../bridge/src/dtls/pki/certificate-authority.js';
import { SERVER_CERT_FILE } from '../../bridge/src/dtls/pki/server-identity-store.js';
import { startTestBridge } from '../support/bridge-in-process.js';
import { runLibcoap } from '../support/libcoap.js';
import { certificatePem, tempFileWriter } from '../support/pki-files.js';

const write = tempFileWriter('coaps-pki-');
const ca = generateCertificateAuthority('Fleet CA');
const device = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
const certFor = (cn: string) => write(`${cn}.pem`, certificatePem(issueCertificate({ subjectCN: cn, subjectPublicKey: device.publicKey, issuerKey: ca.privateKey, issuerCertDer: ca.certificateDer, validDays: 30 })));
const files = {
  caFile: write('ca.pem', certificatePem(ca.certificateDer)),
  rpk: write('rpk.pem', device.privateKey.export({ type: 'sec1', format: 'pem' })),
  key: write('dev.key', device.privateKey.export({ type: 'pkcs8', format: 'pem' })),
};

let bridge: Bridge;
let coaps: string;
let dataDir: string;
beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'coaps-data-'));
  ({ bridge } = await startTestBridge({ coapsPort: 0, trustCaFile: files.caFile, dataDir }));
  coaps = `coaps://127.0.0.1:${bridge.coapsPort}`;
});
afterAll(() => bridge.close());

const register = (ep: string, security: string[], bin: string) =>
  runLibcoap(bin, ['-B', '8', ...security, '-m', 'post', '-t', '40', '-e', '</1/0>,</3/0>', `${coaps}/rd?ep=${ep}&lt=60`]);

describe('CoAPS with public keys', () => {
  it('generates and keeps the server certificate in the data folder', () => {
    expect(readFileSync(join(dataDir, SERVER_CERT_FILE), 'utf8')).toContain('BEGIN CERTIFICATE');
  });

  it('registers a device that authenticates with its raw public key', async () => {
    const r = bridge.credentials.put({ endpoint: 'rpk-dev', mode: 'rpk', publicKey: device.publicKey.export({ type: 'spki', format: 'pem' }).toString() });
    expect(r.ok).toBe(true);
    const reg = await register('rpk-dev', ['-M', files.rpk], 'coap-client-gnutls');
    expect(reg.code).toBe('2.01');
    expect(bridge.store.getByEndpoint('rpk-dev')).toMatchObject({ transport: 'coaps', security: { mode: 'rpk', identity: 'rpk-dev', cipherSuite: 'TLS_ECDHE_ECDSA_WITH_AES_128_CCM_8' } });
  });

  it('registers a device whose certificate CN is its endpoint name and chains to the CA', async () => {
    const server = write('server.pem', readFileSync(join(dataDir, SERVER_CERT_FILE)));
    const reg = await register('cert-dev', ['-c', certFor('cert-dev'), '-j', files.key, '-C', server], 'coap-client-openssl');
    expect(reg.code).toBe('2.01');
    expect(bridge.store.getByEndpoint('cert-dev')).toMatchObject({ security: { mode: 'x509', identity: 'cert-dev' } });
  });

  it("refuses with 4.03 a certificate whose CN is another endpoint's name", async () => {
    const reg = await register('victim', ['-c', certFor('mallory'), '-j', files.key], 'coap-client-openssl');
    expect(reg.code).toBe('4.03');
    expect(bridge.store.getByEndpoint('victim')).toBeUndefined();
  });
});
