/**
 * The node:crypto P-256 calls one ECDHE_ECDSA handshake costs the server, alone, on prepared
 * inputs: the ephemeral key pair, the ServerKeyExchange signature, the ECDH with the client's
 * point, the CertificateVerify check, and (cold) importing the client's raw public key. No DTLS
 * server can do less public-key work per handshake through node:crypto; `bench:dtls-ecdhe`
 * prints it beside the measured handshakes.
 */
import { createECDH, createPublicKey, generateKeyPairSync, sign, verify } from 'node:crypto';

export interface P256Floor {
  /** µs per handshake when the client's key is already imported (a reconnecting device) */
  readonly warm: number;
  /** µs per handshake including importing the client's raw public key */
  readonly cold: number;
}

export function p256ServerCryptoMicros(count = 2_000): P256Floor {
  const server = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  const client = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  const clientJwk = client.publicKey.export({ format: 'jwk' });
  const clientPoint = createECDH('prime256v1');
  clientPoint.generateKeys();
  const peerPoint = clientPoint.getPublicKey();
  const signed = Buffer.alloc(200, 1);
  const clientSignature = sign('sha256', signed, client.privateKey);
  const handshake = (importKey: boolean): boolean => {
    const ephemeral = createECDH('prime256v1');
    ephemeral.generateKeys();
    sign('sha256', signed, { key: server.privateKey, dsaEncoding: 'der' });
    const key = importKey ? createPublicKey({ key: clientJwk, format: 'jwk' }) : client.publicKey;
    ephemeral.computeSecret(peerPoint);
    return verify('sha256', signed, key, clientSignature);
  };
  if (!handshake(true)) throw new Error('P-256 floor: the prepared signature does not verify');
  const micros = (importKey: boolean): number => {
    const t0 = process.cpuUsage();
    for (let i = 0; i < count; i++) handshake(importKey);
    const t = process.cpuUsage(t0);
    return (t.user + t.system) / count;
  };
  micros(false); // warm-up
  return { warm: micros(false), cold: micros(true) };
}
