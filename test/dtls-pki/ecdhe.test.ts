import { createPrivateKey, createPublicKey } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { createEphemeralKey } from '../../bridge/src/dtls/pki/ecdhe.js';
import { ALERT } from '../../bridge/src/dtls/pki/outcome.js';
import { run, tempDir } from './tools.js';

const dir = tempDir();
afterAll(() => dir.remove());

describe('ephemeral ECDH on P-256', () => {
  it('computes the same premaster secret as openssl pkeyutl -derive for the peer key', () => {
    const serverKey = createEphemeralKey();
    const peerKeyFile = dir.path('peer.key');
    expect(run('openssl', ['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', peerKeyFile]).status).toBe(0);
    const peerPrivate = createPrivateKey(dir.read('peer.key'));
    const jwk = createPublicKey(peerPrivate).export({ format: 'jwk' });
    const peerPoint = Buffer.concat([Buffer.from([4]), Buffer.from(jwk.x!, 'base64url'), Buffer.from(jwk.y!, 'base64url')]);
    // The server's point as a PEM public key for openssl.
    const spkiHead = Buffer.from('3059301306072a8648ce3d020106082a8648ce3d030107034200', 'hex');
    const serverPub = createPublicKey({ key: Buffer.concat([spkiHead, serverKey.publicPoint]), format: 'der', type: 'spki' });
    const serverPubFile = dir.write('server.pub', serverPub.export({ type: 'spki', format: 'pem' }));
    const theirs = run('openssl', ['pkeyutl', '-derive', '-inkey', peerKeyFile, '-peerkey', serverPubFile]).stdout;
    const ours = serverKey.computePremaster(peerPoint);
    expect(ours.ok && ours.value.length).toBe(32);
    expect(ours.ok && ours.value.equals(theirs)).toBe(true);
  });

  it('uses a fresh key for every handshake', () => {
    expect(createEphemeralKey().publicPoint.equals(createEphemeralKey().publicPoint)).toBe(false);
  });

  it('answers a point off the curve with illegal_parameter instead of throwing (RFC 8422 §5.10)', () => {
    const p = Buffer.from(createEphemeralKey().publicPoint);
    p[64]! ^= 1;
    expect(createEphemeralKey().computePremaster(p)).toMatchObject({ ok: false, alert: ALERT.illegal_parameter });
    expect(createEphemeralKey().computePremaster(Buffer.concat([Buffer.from([4]), Buffer.alloc(64)]))).toMatchObject({ ok: false, alert: ALERT.illegal_parameter });
    expect(createEphemeralKey().computePremaster(Buffer.from([0]))).toMatchObject({ ok: false, alert: ALERT.illegal_parameter });
  });
});
