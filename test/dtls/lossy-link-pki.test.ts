/**
 * TLS_ECDHE_ECDSA_WITH_AES_128_CCM_8 with X.509 certificates both ways over a lossy link, against
 * OpenSSL 3.0 s_client: the certificate flights are the largest a device sees, and with a small
 * MTU they are fragmented (RFC 6347 §4.2.3), so one lost datagram loses part of a message. The
 * whole flight is retransmitted (RFC 6347 §4.2.4) and reassembled.
 */
import { generateKeyPairSync } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { generateCertificateAuthority, issueCertificate } from '../../bridge/src/dtls/pki/certificate-authority.js';
import { generateServerIdentity, serverIdentityToPem } from '../../bridge/src/dtls/pki/server-identity.js';
import { runPeer, startServer, waitFor, type TestServer } from '../dtls-pki/interop-harness.js';
import { pem, tempDir } from '../dtls-pki/tools.js';
import { carries, Handshake, type LossRule, startLossyRelay } from '../support/lossy-relay.js';

const dir = tempDir();
const identity = generateServerIdentity('lwm2m-server');
const ca = generateCertificateAuthority('Fleet CA');
const device = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
const files = {
  serverCert: dir.write('server.pem', serverIdentityToPem(identity).certPem),
  devCert: dir.write('dev.pem', pem('CERTIFICATE', issueCertificate({ subjectCN: 'dev1', subjectPublicKey: device.publicKey, issuerKey: ca.privateKey, issuerCertDer: ca.certificateDer, validDays: 30 }))),
  devKey: dir.write('dev.key', device.privateKey.export({ type: 'pkcs8', format: 'pem' })),
};
afterAll(() => dir.remove());

const sClient = (port: number) =>
  ['s_client', '-dtls1_2', '-cipher', 'ECDHE-ECDSA-AES128-CCM8', '-cert', files.devCert, '-key', files.devKey, '-CAfile', files.serverCert, '-verify_return_error', '-connect', `127.0.0.1:${port}`];

/** Runs s_client through a relay with `plan` to a server with `maxDatagram`; checks one verified session and data. */
async function handshakeThrough(plan: LossRule[], maxDatagram?: number) {
  const server: TestServer = await startServer({ identity, trustAnchors: [ca.certificateDer], ...(maxDatagram ? { maxDatagram } : {}) });
  const relay = await startLossyRelay({ serverPort: server.port, plan });
  try {
    const r = await runPeer('openssl', sClient(relay.port), { until: () => server.sessions.length > 0, stdin: 'hello over a lossy link\n' });
    expect(relay.unfired(), relay.describe()).toEqual([]);
    expect(r.out).toContain('Verify return code: 0 (ok)');
    expect(server.sessions.map((s) => s.security)).toMatchObject([{ mode: 'x509', identity: 'dev1', cipherSuite: 'TLS_ECDHE_ECDSA_WITH_AES_128_CCM_8' }]);
    expect(await waitFor(() => server.received.map(String).includes('hello over a lossy link\n'))).toBe(true);
    expect(server.server.stats()).toMatchObject({ handshakesStarted: 1, handshakesCompleted: 1, handshakesFailed: 0, internalErrors: 0 });
    expect(server.failures).toEqual([]);
    return relay;
  } finally {
    relay.stop();
    await server.close();
  }
}

// Concurrent: each test has its own server and relay and mostly waits for OpenSSL's 1 s timer.
describe.concurrent('openssl s_client ECDHE-ECDSA with certificates over a lossy link', () => {
  it('completes when our flight with the server Certificate is lost', async () => {
    const relay = await handshakeThrough([{ label: 'our Certificate flight', direction: 'toClient', match: carries.handshake(Handshake.certificate) }]);
    expect(relay.events.map((e) => e.datagram.records.map((r) => r.handshake?.type))).toEqual([[Handshake.serverHello, Handshake.certificate, Handshake.serverKeyExchange, Handshake.certificateRequest, Handshake.serverHelloDone]]);
  });

  it('completes when one fragment datagram of our Certificate, fragmented into 300-byte datagrams, is lost (RFC 6347 §4.2.3)', async () => {
    const relay = await handshakeThrough([{ label: 'the 2nd Certificate fragment datagram', direction: 'toClient', match: carries.handshake(Handshake.certificate), occurrences: [2] }], 300);
    const lost = relay.events[0]!.datagram.records.find((r) => r.handshake?.type === Handshake.certificate)!.handshake!;
    expect(lost.fragmentOffset).toBeGreaterThan(0); // a middle part of the message, not its start
    // The whole flight came again, every fragment of the Certificate with it.
    const certFragments = relay.trace.filter((d) => d.direction === 'toClient' && carries.handshake(Handshake.certificate)(d));
    expect(certFragments.length).toBeGreaterThanOrEqual(4);
  });

  it("completes when the client's Certificate flight is lost: the client resends it whole", async () => {
    const relay = await handshakeThrough([{ label: "the client's Certificate flight", direction: 'toServer', match: carries.handshake(Handshake.certificate) }]);
    expect(relay.trace.filter((d) => d.direction === 'toServer' && carries.handshake(Handshake.certificateVerify)(d)).length).toBeGreaterThanOrEqual(2);
  });

  it("completes with 300-byte datagrams when the client's Finished and our final flight are both lost once", async () => {
    await handshakeThrough(
      [
        { label: "the client's Finished", direction: 'toServer', match: carries.encryptedHandshake },
        { label: 'our final flight', direction: 'toClient', match: carries.changeCipherSpec },
      ],
      300,
    );
  });
});
