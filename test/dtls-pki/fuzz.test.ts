/**
 * Bad input of every kind gets an outcome, never an exception: seeded random mutations of valid
 * certificates, SubjectPublicKeyInfos and handshake message bodies, fed to every parser that
 * sees peer bytes.
 */
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { generateCertificateAuthority, issueCertificate } from '../../bridge/src/dtls/pki/certificate-authority.js';
import { EXT, negotiateEcdheEcdsa } from '../../bridge/src/dtls/pki/ecc-extensions.js';
import {
  CERT_TYPE, encodeCertificateVerify, encodeCertificateX509, encodeClientKeyExchange, parseCertificateBody, parseClientKeyExchange,
  verifyCertificateVerify,
} from '../../bridge/src/dtls/pki/ecc-messages.js';
import { createEphemeralKey } from '../../bridge/src/dtls/pki/ecdhe.js';
import { createEcdheEcdsaKeyExchange } from '../../bridge/src/dtls/pki/ecdhe-ecdsa-key-exchange.js';
import { generateServerIdentity } from '../../bridge/src/dtls/pki/server-identity.js';
import { CIPHER_SUITES } from '../../bridge/src/dtls/cipher-suites.js';
import { rawPublicKeyIdentity, verifyClientChain } from '../../bridge/src/dtls/pki/verify.js';
import { seededRandom } from '../support/seeded-random.js';

function mutate(input: Buffer, r: (n: number) => number): Buffer {
  const b = Buffer.from(input);
  switch (r(4)) {
    case 0: // flip bytes
      for (let i = 0, n = 1 + r(4); i < n; i++) b[r(b.length)] = r(256);
      return b;
    case 1: // truncate
      return b.subarray(0, r(b.length));
    case 2: // insert garbage
      return Buffer.concat([b.subarray(0, r(b.length)), randomBytes(1 + r(8)), b.subarray(r(b.length))]);
    default: // set a length-looking byte to an extreme
      b[r(Math.min(b.length, 16))] = [0x00, 0x7f, 0x80, 0x81, 0x82, 0x84, 0xff][r(7)]!;
      return b;
  }
}

const now = new Date();
const ca = generateCertificateAuthority('Fleet CA', now);
const dev = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
const cert = issueCertificate({ subjectCN: 'dev1', subjectPublicKey: dev.publicKey, issuerKey: ca.privateKey, issuerCertDer: ca.certificateDer, validDays: 30, now });
const spki = dev.publicKey.export({ type: 'spki', format: 'der' });

describe('parsers of peer bytes under random mutation', () => {
  it('verifyClientChain returns a value for 1,500 mutated certificates and accepts none that changed', () => {
    const r = seededRandom(1);
    let accepted = 0;
    for (let i = 0; i < 1500; i++) {
      const m = mutate(cert, r);
      const res = verifyClientChain([m], [ca.certificateDer], now);
      expect(typeof res.ok).toBe('boolean');
      if (res.ok && !m.equals(cert)) accepted++;
    }
    expect(accepted).toBe(0);
  });

  it('rawPublicKeyIdentity returns a value for 3,000 mutated keys', () => {
    const r = seededRandom(2);
    for (let i = 0; i < 3000; i++) expect(typeof rawPublicKeyIdentity(mutate(spki, r)).ok).toBe('boolean');
  });

  it('message parsers return outcomes for 3,000 mutated bodies each', () => {
    const r = seededRandom(3);
    const certMsg = encodeCertificateX509([cert, ca.certificateDer]);
    const cke = encodeClientKeyExchange(createEphemeralKey().publicPoint);
    const transcript = randomBytes(300);
    const cv = encodeCertificateVerify(transcript, dev.privateKey);
    const eph = createEphemeralKey();
    for (let i = 0; i < 3000; i++) {
      expect(typeof parseCertificateBody(mutate(certMsg, r), CERT_TYPE.X509).ok).toBe('boolean');
      expect(typeof parseCertificateBody(mutate(certMsg, r), CERT_TYPE.RawPublicKey).ok).toBe('boolean');
      const point = parseClientKeyExchange(mutate(cke, r));
      if (point.ok) expect(typeof eph.computePremaster(point.value).ok).toBe('boolean');
      expect(typeof verifyCertificateVerify(mutate(cv, r), transcript, dev.publicKey).ok).toBe('boolean');
    }
  });

  it('extension negotiation returns outcomes for 3,000 mutated ClientHello extension sets', () => {
    const r = seededRandom(4);
    const base: Array<[number, Buffer]> = [
      [EXT.supported_groups, Buffer.from('00020017', 'hex')],
      [EXT.ec_point_formats, Buffer.from('0100', 'hex')],
      [EXT.signature_algorithms, Buffer.from('00020403', 'hex')],
      [EXT.client_certificate_type, Buffer.from('020200', 'hex')],
      [EXT.server_certificate_type, Buffer.from('020200', 'hex')],
    ];
    for (let i = 0; i < 3000; i++) {
      const ext = new Map(base.map(([t, d]) => [t, r(3) === 0 ? mutate(d, r) : d]));
      expect(typeof negotiateEcdheEcdsa(ext, { x509Clients: true, rawKeyClients: true }).ok).toBe('boolean');
    }
  });

  it('the key exchange answers 2,000 mutated client flights with steps, never exceptions', () => {
    const r = seededRandom(5);
    const kx = createEcdheEcdsaKeyExchange({ serverIdentity: generateServerIdentity('s', now), trustAnchors: [ca.certificateDer] });
    const suite = CIPHER_SUITES.find((x) => x.id === 0xc0ae)!;
    const extensions = new Map<number, Buffer>([[EXT.signature_algorithms, Buffer.from('00020403', 'hex')]]);
    const hello = { clientVersion: 0xfefd, random: randomBytes(32), sessionId: Buffer.alloc(0), cookie: Buffer.alloc(0), cipherSuites: [0xc0ae], extensions, cookieInput: Buffer.alloc(0) };
    const bodies = [encodeCertificateX509([cert]), encodeClientKeyExchange(createEphemeralKey().publicPoint), encodeCertificateVerify(randomBytes(100), dev.privateKey)];
    const types = [11, 16, 15];
    let steps = 0;
    for (let i = 0; i < 2000; i++) {
      const run = kx.start({ clientHello: hello, clientRandom: hello.random, serverRandom: randomBytes(32), suite, credentials: { pskKeyFor: () => undefined }, transcript: () => randomBytes(r(400)) });
      run.serverMessages();
      for (let k = 0; k < 3; k++) {
        const type = r(10) === 0 ? r(256) : types[k]!;
        const step = run.clientMessage(type, r(2) === 0 ? mutate(bodies[k]!, r) : bodies[k]!);
        steps++;
        expect(typeof step.ok).toBe('boolean');
        if (!step.ok) break;
      }
    }
    expect(steps).toBeGreaterThan(2000);
  });
});
